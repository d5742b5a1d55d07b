#pragma once

#include "backend/discovery.h"
#include "config/commandline.h"
#include "config/secretstore.h"
#include "config/settingsstore.h"

#include <QDialog>

#include <optional>

class QAction;
class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QToolButton;

namespace Backend {
class Client;
}
namespace Proxy {
class ProxyService;
}

// The backend settings of the running proxy: backend URL, kind, model, API key, listen address,
// guard switches and retries.
//
// The fields start from the running proxy's settings. OK and Apply apply them live
// (ProxyService::applySettings) and save them (QSettings, see Config::SettingsStore): only the
// fields the person changed are saved, so a flag given for this run stays this run's. A new API
// key goes to the keyring, never to the settings file; without a keyring it lasts for the run
// and the dialog says where a key is read from instead. Cancel changes nothing.
//
// "Test connection" probes the profile in the fields, with a client of its own: the running
// proxy is not touched until the settings are applied.
//
// The key is shown masked (Trace::maskSecret) in every widget until the person reveals it.
class SettingsDialog : public QDialog
{
    Q_OBJECT

public:
    explicit SettingsDialog(Proxy::ProxyService* proxy, QWidget* parent = nullptr);
    ~SettingsDialog() override;

    // The command line this run was started with: its options are marked as this run's, and
    // tell where the key in use came from.
    void setCommandLine(const Config::CommandLine& commandLine);
    // Where keys are kept; ask it again after changing its service or timeout.
    Config::KeyringStore* keyring() const { return m_keyring; }
    void checkKeyring();

    // The settings the fields describe, API key included; nullopt and the reason in plain
    // words when a field is not valid.
    std::optional<Config::Settings> editedSettings(QString* problem = nullptr) const;
    // Validates, applies live and saves. False, with the reason shown, when a field is not
    // valid or the new address cannot be listened on (the proxy then keeps its old settings).
    bool apply();
    void testConnection();

    void accept() override;

protected:
    void changeEvent(QEvent* event) override;

Q_SIGNALS:
    void connectionTested(const Backend::Info& info);
    void keyringChecked(const Config::KeyringReply& reply);
    void keyringWritten(const Config::KeyringReply& reply);
    void settingsApplied(const Config::Settings& settings);

private:
    void buildUi();
    void loadFields(const Config::Settings& settings);
    void showInfo(const Backend::Info& info, bool tested);
    void updateKindLabel();
    void updateKeyInfo();
    void setKeyRevealed(bool revealed);
    void forgetKey();
    void showProblem(const QString& problem);
    void growToFit();
    QString enteredKey() const; // the key the fields say, typed or kept
    bool keyEdited() const;

    Proxy::ProxyService* m_proxy;
    Config::CommandLine m_commandLine;
    Config::KeyringStore* m_keyring;
    std::optional<Config::KeyringReply> m_keyringReply; // nullopt until the keyring answered
    Config::ApiKey m_keyInUse;
    QString m_savedVariable;
    Backend::Info m_latestInfo; // of the running backend, or of the last test
    Backend::Client* m_testClient = nullptr;
    Backend::Discovery* m_testDiscovery = nullptr;
    bool m_keyRemoved = false;
    bool m_showingTest = false; // the panel shows a test, not the running backend

    QLineEdit* m_urlEdit = nullptr;
    QComboBox* m_kindCombo = nullptr;
    QComboBox* m_modelCombo = nullptr;
    QLineEdit* m_keyEdit = nullptr;
    QAction* m_revealAction = nullptr;
    QToolButton* m_forgetButton = nullptr;
    QLabel* m_keyInUseLabel = nullptr;
    QLabel* m_keyStorageLabel = nullptr;
    QLineEdit* m_variableEdit = nullptr;
    QSpinBox* m_contextSpin = nullptr;
    QSpinBox* m_timeoutSpin = nullptr;
    QLineEdit* m_hostEdit = nullptr;
    QSpinBox* m_portSpin = nullptr;
    QCheckBox* m_guardCheck = nullptr;
    QCheckBox* m_rescueCheck = nullptr;
    QCheckBox* m_repairCheck = nullptr;
    QSpinBox* m_retriesSpin = nullptr;
    QComboBox* m_exhaustedCombo = nullptr;
    QPushButton* m_testButton = nullptr;
    QLabel* m_testCaption = nullptr;
    QLabel* m_reachLabel = nullptr;
    QLabel* m_detectedLabel = nullptr;
    QLabel* m_modelsLabel = nullptr;
    QLabel* m_contextLabel = nullptr;
    QLabel* m_commandLineLabel = nullptr;
    QLabel* m_problemLabel = nullptr;
    QDialogButtonBox* m_buttons = nullptr;
};
