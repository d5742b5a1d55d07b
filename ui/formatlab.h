#pragma once

#include "asyncjob.h"
#include "config/settings.h"
#include "guard/guardpreview.h"

#include <QTimer>
#include <QWidget>

#include <memory>

class QComboBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QTextBrowser;

// A tool window where a person pastes a model's raw output (or a backend's response body) and a
// tools array and sees, as they type, what the guard makes of it: the format and parser that
// matched with the span highlighted in the input, each call with its arguments, repairs and
// validation issues, the content and reasoning left over, RetryPolicy's verdict and the exact
// corrective turns a retry would append. It runs Guard::previewGuard, the proxy's own steps.
//
// Input changes are gathered for 150 ms, then analysed off the main thread; a result is shown
// only when no input changed since it was started (previewShown() says so), so a large paste
// never freezes the window and never shows a stale answer.
class FormatLab : public QWidget
{
    Q_OBJECT

public:
    struct Example
    {
        QString title;
        QString output;
        QString reasoning;
    };
    // Realistic outputs of the common formats and mistakes, for the Examples menu.
    static QList<Example> examples();

    explicit FormatLab(QWidget* parent = nullptr);
    ~FormatLab() override;

    // Uses the proxy's retry limit and rescue/repair switches (until called: 3 retries, both on).
    void setGuardSettings(const Config::GuardSettings& settings);
    void loadExample(int index);

    QPlainTextEdit* outputEdit() const { return m_output; }
    QPlainTextEdit* reasoningEdit() const { return m_reasoning; }
    QPlainTextEdit* toolsEdit() const { return m_tools; }
    QComboBox* toolChoiceBox() const { return m_choice; }
    QComboBox* namedToolBox() const { return m_namedTool; }
    QSpinBox* maxRetriesBox() const { return m_maxRetries; }
    QSpinBox* attemptBox() const { return m_attempt; }

    // The preview on screen; null before the first one.
    std::shared_ptr<const Guard::Preview> preview() const { return m_preview; }
    // True while the inputs changed and their preview has not been shown yet.
    bool isPending() const { return m_pending; }

Q_SIGNALS:
    void previewShown();

protected:
    void changeEvent(QEvent* event) override;

private:
    struct Rendering;

    void inputsChanged();
    void analyze();
    void showRendering(const Rendering& rendering);
    void styleVerdict();
    void highlightSpans();
    Guard::ToolChoice toolChoice() const;

    QPushButton* m_examples = nullptr;
    QComboBox* m_choice = nullptr;
    QComboBox* m_namedTool = nullptr;
    QSpinBox* m_maxRetries = nullptr;
    QSpinBox* m_attempt = nullptr;
    QLabel* m_status = nullptr;
    QPlainTextEdit* m_output = nullptr;
    QPlainTextEdit* m_reasoning = nullptr;
    QPlainTextEdit* m_tools = nullptr;
    QLabel* m_toolsError = nullptr;
    QLabel* m_verdict = nullptr;
    QLabel* m_summary = nullptr;
    QTextBrowser* m_calls = nullptr;
    QTextBrowser* m_leftover = nullptr;
    QTextBrowser* m_correction = nullptr;
    QPushButton* m_copyCorrection = nullptr;

    Guard::AnalysisOptions m_options;
    QTimer m_delay;
    AsyncJob m_job;
    bool m_pending = false;
    std::shared_ptr<const Guard::Preview> m_preview;
    QString m_correctionJson;
};
