#include "formatlab.h"

#include "guard/jsontext.h"

#include "demo/demotraffic.h"
#include "guard/guardtrace.h"
#include "outcomestyle.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QElapsedTimer>
#include <QEvent>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QLabel>
#include <QMenu>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QTextBrowser>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace {

constexpr int kDelayMs = 150;
// Longer texts are cut in the result panes: a 1 MB paste must not become 1 MB of rich text.
constexpr qsizetype kShownCharacters = 20'000;

// Colours for the rendered panes, taken from the palette on the main thread.
struct Colours
{
    QString valid;
    QString invalid;
    QString muted;
    QString box;
    QString border;
};

Colours coloursFor(const QPalette& palette)
{
    return { OutcomeStyle::foreground(Trace::Outcome::Passed, palette).name(),
        OutcomeStyle::foreground(Trace::Outcome::Error, palette).name(),
        palette.color(QPalette::PlaceholderText).name(), palette.color(QPalette::AlternateBase).name(),
        palette.color(QPalette::Mid).name() };
}

QString escaped(const QString& text)
{
    return text.toHtmlEscaped();
}

// `text` for a <pre>, cut at kShownCharacters with a note on what was left out.
QString preformatted(const QString& text)
{
    QString shown = text.size() > kShownCharacters ? text.left(kShownCharacters) : text;
    QString html = u"<pre style=\"white-space: pre-wrap\">"_s + escaped(shown) + u"</pre>"_s;
    if (text.size() > kShownCharacters)
        html += QObject::tr("<p><i>… %1 more characters not shown</i></p>")
                    .arg(text.size() - kShownCharacters);
    return html;
}

QString jsonText(const QJsonValue& value, QJsonDocument::JsonFormat format = QJsonDocument::Compact)
{
    return value.isUndefined() ? QObject::tr("(nothing)") : Guard::jsonText(value, format);
}

// Arguments text as people read it: indented when it is JSON, as written otherwise.
QString prettyArguments(const QString& text)
{
    const QJsonDocument document = QJsonDocument::fromJson(text.toUtf8());
    if (document.isNull())
        return text;
    return QString::fromUtf8(document.toJson(QJsonDocument::Indented)).trimmed();
}

// "/items/2/name" -> "arguments.items[2].name", the way validation issues name places.
QString pathOf(const QString& pointer)
{
    QString path = u"arguments"_s;
    const QStringList parts = pointer.split(u'/', Qt::SkipEmptyParts);
    for (QString part : parts) {
        part.replace(u"~1"_s, u"/"_s).replace(u"~0"_s, u"~"_s);
        bool isIndex = false;
        part.toInt(&isIndex);
        path += isIndex ? QString(u'[' + part + u']') : QString(u'.' + part);
    }
    return path;
}

QString repairBefore(const Guard::Repair& repair)
{
    // The parsed value of 10.0 is the double 10; show it the way the model wrote it.
    if (repair.kind == Guard::RepairKind::IntegralFloat && repair.before.isDouble())
        return QString::number(repair.before.toDouble(), 'f', 1);
    return jsonText(repair.before);
}

QString tableStart(const Colours& colours, const QStringList& headers)
{
    QString html
        = u"<table cellspacing=\"0\" cellpadding=\"4\" style=\"border-collapse: collapse; border: 1px solid %1\"><tr>"_s
              .arg(colours.border);
    for (const QString& header : headers)
        html += u"<th align=\"left\" style=\"border: 1px solid %1\">%2</th>"_s.arg(
            colours.border, escaped(header));
    return html + u"</tr>"_s;
}

QString tableRow(const Colours& colours, const QStringList& cells)
{
    QString html = u"<tr>"_s;
    for (const QString& cell : cells)
        html += u"<td style=\"border: 1px solid %1\">%2</td>"_s.arg(colours.border, escaped(cell));
    return html + u"</tr>"_s;
}

QString summaryOf(const Guard::Preview& preview)
{
    if (!preview.toolsError.isEmpty())
        return QObject::tr("Fix the tools JSON to see what the guard makes of this output.");
    const Guard::AttemptAnalysis& analysis = preview.analysis;
    const QString calls = analysis.calls.size() == 1 ? QObject::tr("1 call")
                                                     : QObject::tr("%1 calls").arg(analysis.calls.size());
    if (preview.input == Guard::Preview::Input::Completion) {
        if (analysis.rescued)
            return QObject::tr("Read as a backend response without native calls; format <b>%1</b>, "
                               "recognised by the <b>%2</b> parser: %3.")
                .arg(escaped(analysis.rescueFormat), escaped(analysis.rescueParser), calls);
        if (analysis.hasCalls())
            return QObject::tr("Read as a backend response: %1 in its native <b>tool_calls</b>.").arg(calls);
    }
    if (analysis.rescued)
        return QObject::tr(
            "Format <b>%1</b>, recognised by the <b>%2</b> parser: %3 (highlighted in the output).")
            .arg(escaped(analysis.rescueFormat), escaped(analysis.rescueParser), calls);
    if (analysis.nearMiss)
        return QObject::tr(
            "No call could be read: the text holds call-shaped markup that did not parse (a near miss).");
    return QObject::tr("No tool call in the text: a text answer.");
}

QString callsHtml(const Guard::Preview& preview, const Colours& colours)
{
    if (!preview.toolsError.isEmpty())
        return QObject::tr("<p>The tools are needed to read calls: only declared names become calls.</p>");
    const Guard::AttemptAnalysis& analysis = preview.analysis;
    QString html;
    if (analysis.calls.isEmpty())
        html += QObject::tr("<p>No tool calls.</p>");
    for (int i = 0; i < analysis.calls.size(); ++i) {
        const Guard::CheckedCall& call = analysis.calls.at(i);
        const Guard::CallValidation& validation = call.validation;
        const QString state = validation.valid
            ? u"<span style=\"color:%1\">&#10003; %2</span>"_s.arg(colours.valid, QObject::tr("valid"))
            : u"<span style=\"color:%1\">&#10007; %2</span>"_s.arg(colours.invalid, QObject::tr("invalid"));
        html += u"<h3>%1. %2 &nbsp;%3</h3>"_s.arg(i + 1).arg(escaped(call.name), state);
        const QString origin = call.rescued
            ? QObject::tr("Rescued from the text, characters %1–%2.").arg(call.span.start).arg(call.span.end)
            : QObject::tr("Native call from the backend's tool_calls.");
        html += u"<p style=\"color:%1\">%2 %3</p>"_s.arg(
            colours.muted, origin, QObject::tr("Id %1.").arg(escaped(call.id)));
        if (validation.valid) {
            html += QObject::tr("<p><b>Arguments the client gets</b></p>");
            html += preformatted(jsonText(validation.arguments, QJsonDocument::Indented));
        } else {
            html += QObject::tr("<p><b>Arguments as written</b></p>");
            html += preformatted(prettyArguments(call.argumentsText));
        }
        if (!validation.repairs.isEmpty()) {
            html += QObject::tr("<p><b>Repairs</b></p>");
            html += tableStart(colours,
                { QObject::tr("Where"), QObject::tr("Before"), QObject::tr("After"), QObject::tr("Repair") });
            for (const Guard::Repair& repair : validation.repairs)
                html += tableRow(colours,
                    { pathOf(repair.pointer), repairBefore(repair), jsonText(repair.after),
                        repair.description });
            html += u"</table>"_s;
        }
        if (!validation.issues.isEmpty()) {
            html += QObject::tr("<p><b>Validation issues</b></p>");
            html += tableStart(colours,
                { QObject::tr("JSON path"), QObject::tr("Rule"), QObject::tr("Expected"),
                    QObject::tr("Received") });
            for (const Guard::ValidationIssue& issue : validation.issues) {
                const QString received = issue.received.isUndefined() ? QObject::tr("nothing (missing)")
                                                                      : Guard::describeValue(issue.received);
                html += tableRow(colours,
                    { issue.path.isEmpty() ? pathOf(issue.pointer) : issue.path,
                        Guard::ruleWords(issue.rule) + u" ("_s + Guard::ruleName(issue.rule) + u')',
                        issue.expected.isEmpty() ? u"–"_s : issue.expected, received });
            }
            html += u"</table>"_s;
        }
    }
    if (!analysis.rescueIssues.isEmpty()) {
        html += QObject::tr("<p><b>Rescue notes</b></p><ul>");
        QStringList notes = analysis.rescueIssues;
        notes.removeDuplicates(); // several parsers may report the same rehearsed call
        for (const QString& issue : std::as_const(notes))
            html += u"<li>"_s + escaped(issue) + u"</li>"_s;
        html += u"</ul>"_s;
    }
    return html;
}

QString leftoverHtml(const Guard::Preview& preview, const Colours& colours)
{
    if (!preview.toolsError.isEmpty())
        return {};
    const Guard::AttemptAnalysis& analysis = preview.analysis;
    const QString none = u"<p style=\"color:%1\">%2</p>"_s.arg(colours.muted, QObject::tr("(none)"));
    QString html = QObject::tr("<p><b>Content the client gets</b></p>");
    html += analysis.visibleContent.isEmpty() ? none : preformatted(analysis.visibleContent);
    if (!analysis.rescuedReasoning.isEmpty()) {
        html += QObject::tr("<p><b>Reasoning found in the text</b></p>");
        html += preformatted(analysis.rescuedReasoning);
    }
    html += QObject::tr("<p><b>Reasoning sent separately</b> (reasoning_content)</p>");
    html += analysis.reasoning.isEmpty() ? none : preformatted(analysis.reasoning);
    return html;
}

QString correctionHtml(const Guard::Preview& preview, int attempt, int maxRetries, const Colours& colours)
{
    if (!preview.toolsError.isEmpty())
        return {};
    if (!preview.guarded)
        return QObject::tr("<p>Nothing is appended: %1</p>").arg(escaped(preview.unguardedReason));
    switch (preview.decision.verdict) {
    case Guard::Decision::Verdict::Accept:
        return QObject::tr("<p>Nothing is appended: the answer is accepted.</p>");
    case Guard::Decision::Verdict::GiveUp:
        return QObject::tr(
            "<p>Nothing is appended: no retries are left, so Temper gives up and the client gets this answer "
            "(or an error, when the proxy is set to answer exhausted retries with one).</p>");
    case Guard::Decision::Verdict::Retry:
        break;
    }
    QString html
        = QObject::tr("<p>Temper appends these turns to the conversation and sends attempt %1 of %2:</p>")
              .arg(attempt + 1)
              .arg(maxRetries + 1);
    for (const QJsonObject& turn : preview.correction) {
        const QString role = turn.value("role"_L1).toString();
        QString heading = u"<b>"_s + escaped(role) + u"</b>"_s;
        if (role == u"tool"_s)
            heading += u" <span style=\"color:%1\">%2</span>"_s.arg(colours.muted,
                QObject::tr("answers %1").arg(escaped(turn.value("tool_call_id"_L1).toString())));
        QString body;
        const QJsonValue content = turn.value("content"_L1);
        if (content.isString() && !content.toString().isEmpty())
            body += preformatted(content.toString());
        for (const QJsonValue& value : turn.value("tool_calls"_L1).toArray()) {
            const QJsonObject call = value.toObject();
            const QJsonObject function = call.value("function"_L1).toObject();
            body += u"<p style=\"color:%1\">%2</p>"_s.arg(
                colours.muted, QObject::tr("tool call %1").arg(escaped(call.value("id"_L1).toString())));
            body += preformatted(
                function.value("name"_L1).toString() + u' ' + function.value("arguments"_L1).toString());
        }
        html
            += u"<table width=\"100%\" cellpadding=\"6\" style=\"background-color:%1; border: 1px solid %2\"><tr><td>%3%4</td></tr></table><br>"_s
                   .arg(colours.box, colours.border, heading, body);
    }
    return html;
}

} // namespace

struct FormatLab::Rendering
{
    std::shared_ptr<const Guard::Preview> preview;
    QString summary;
    QString calls;
    QString leftover;
    QString correction;
    QString correctionJson;
    qint64 elapsedMs = 0;
    qsizetype inputSize = 0;
};

QList<FormatLab::Example> FormatLab::examples()
{
    // Written after the format catalog (shared/research/toolcall-formats.md), for the demo's
    // tools: get_weather(city, days 1-7) and search_docs(query, limit >= 1).
    return {
        { tr("Hermes <tool_call> (Qwen 2.5, Hermes 3)"),
            u"Let me check the forecast for Paris.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\", \"days\": 3}}\n</tool_call>"_s,
            {} },
        { tr("Mistral [TOOL_CALLS] (Mistral Nemo, Small 3)"),
            u"[TOOL_CALLS][{\"name\": \"search_docs\", \"arguments\": {\"query\": \"retry policy\", \"limit\": 5}, \"id\": \"a1B2c3D4e\"}]"_s,
            {} },
        { tr("Qwen3-Coder XML"),
            u"<tool_call>\n<function=get_weather>\n<parameter=city>\nLyon\n</parameter>\n<parameter=days>\n2\n</parameter>\n</function>\n</tool_call>"_s,
            {} },
        { tr("JSON in a markdown fence"),
            u"I'll look this up in the documentation first.\n```json\n{\"name\": \"search_docs\", \"arguments\": {\"query\": \"streaming tool calls\"}}\n```"_s,
            {} },
        { tr("Qwen3 thinking: reasoning, then a call"),
            u"The user wants two days of weather for Lyon; get_weather takes the city and the number of days.\n</think>\n\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Lyon\", \"days\": 2}}\n</tool_call>"_s,
            {} },
        { tr("An integer written as 10.0 (a response with native tool_calls)"),
            u"{\"role\": \"assistant\", \"content\": null, \"tool_calls\": [{\"id\": \"call_k3Jd9\", "
            u"\"type\": \"function\", \"function\": "
            u"{\"name\": \"search_docs\", \"arguments\": \"{\\\"query\\\": \\\"context length\\\", \\\"limit\\\": 10.0}\"}}]}"_s,
            {} },
        { tr("An out-of-range argument (retried)"),
            u"Checking the next ten days.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\", \"days\": 10}}\n</tool_call>"_s,
            {} },
        { tr("An unknown tool"),
            u"<tool_call>\n{\"name\": \"get_forecast\", \"arguments\": {\"city\": \"Paris\", \"days\": 3}}\n</tool_call>"_s,
            {} },
        { tr("Plain prose"),
            u"Paris will be mild this week: around 18 °C, with showers on Thursday. Take an umbrella if you go out in the afternoon."_s,
            {} },
        { tr("A call inside a closed <think> block"),
            u"<think>\nThe user asks whether to pack an umbrella. I could call <tool_call>{\"name\": "
            u"\"get_weather\", \"arguments\": "
            u"{\"city\": \"Paris\", \"days\": 1}}</tool_call> but a rule of thumb is enough here.\n</think>\nSpring in Paris is showery: pack a light umbrella."_s,
            {} },
    };
}

FormatLab::FormatLab(QWidget* parent)
    : QWidget(parent, Qt::Window)
{
    setObjectName(u"formatLab"_s);
    setWindowTitle(tr("Format lab"));
    resize(1280, 820);
    const QFont fixed = QFontDatabase::systemFont(QFontDatabase::FixedFont);

    // Controls: examples, tool_choice, retry limit and which attempt this answer is.
    m_examples = new QPushButton(tr("&Examples"));
    m_examples->setObjectName(u"examples"_s);
    m_examples->setToolTip(tr("Load a realistic model output"));
    auto* menu = new QMenu(m_examples);
    const QList<Example> all = examples();
    for (int i = 0; i < all.size(); ++i)
        menu->addAction(all.at(i).title, this, [this, i] { loadExample(i); });
    m_examples->setMenu(menu);

    m_choice = new QComboBox;
    m_choice->setObjectName(u"toolChoice"_s);
    m_choice->addItem(tr("auto"), u"auto"_s);
    m_choice->addItem(tr("required"), u"required"_s);
    m_choice->addItem(tr("none"), u"none"_s);
    m_choice->addItem(tr("named tool"), u"named"_s);
    m_namedTool = new QComboBox;
    m_namedTool->setObjectName(u"namedTool"_s);
    m_namedTool->setEditable(true);
    m_namedTool->setMinimumContentsLength(14);
    m_namedTool->setEnabled(false);
    m_maxRetries = new QSpinBox;
    m_maxRetries->setObjectName(u"maxRetries"_s);
    m_maxRetries->setRange(0, 20);
    m_maxRetries->setValue(Config::GuardSettings().maxRetries);
    m_attempt = new QSpinBox;
    m_attempt->setObjectName(u"attempt"_s);
    m_attempt->setRange(1, m_maxRetries->value() + 1);
    m_attempt->setToolTip(
        tr("Which attempt this answer is: on the last one a failure gives up instead of retrying."));
    m_status = new QLabel;
    m_status->setObjectName(u"status"_s);
    m_status->setForegroundRole(QPalette::PlaceholderText);

    auto* controls = new QHBoxLayout;
    controls->addWidget(m_examples);
    controls->addSpacing(16);
    auto* choiceLabel = new QLabel(tr("tool_&choice:"));
    choiceLabel->setBuddy(m_choice);
    controls->addWidget(choiceLabel);
    controls->addWidget(m_choice);
    controls->addWidget(m_namedTool);
    controls->addSpacing(16);
    auto* retriesLabel = new QLabel(tr("Max &retries:"));
    retriesLabel->setBuddy(m_maxRetries);
    controls->addWidget(retriesLabel);
    controls->addWidget(m_maxRetries);
    auto* attemptLabel = new QLabel(tr("This answer is a&ttempt:"));
    attemptLabel->setBuddy(m_attempt);
    controls->addWidget(attemptLabel);
    controls->addWidget(m_attempt);
    controls->addStretch(1);
    controls->addWidget(m_status);

    // Inputs.
    auto makeEditor = [&fixed](const QString& name, const QString& placeholder) {
        auto* edit = new QPlainTextEdit;
        edit->setObjectName(name);
        edit->setFont(fixed);
        edit->setPlaceholderText(placeholder);
        edit->setLineWrapMode(QPlainTextEdit::WidgetWidth);
        return edit;
    };
    m_output = makeEditor(u"output"_s,
        tr("Paste what the model wrote, or a backend's response body (a chat completion or its message)."));
    m_reasoning
        = makeEditor(u"reasoning"_s, tr("Optional: the reasoning_content the backend sent beside the text."));
    m_tools = makeEditor(u"tools"_s, tr("The request's tools array."));
    m_tools->setPlainText(
        QString::fromUtf8(QJsonDocument(Demo::Traffic::exampleTools()).toJson(QJsonDocument::Indented)));
    m_toolsError = new QLabel;
    m_toolsError->setObjectName(u"toolsError"_s);
    m_toolsError->setWordWrap(true);
    m_toolsError->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_toolsError->hide();

    auto titled = [](const QString& title, QWidget* widget, QWidget* below = nullptr) {
        auto* box = new QWidget;
        auto* layout = new QVBoxLayout(box);
        layout->setContentsMargins(0, 4, 0, 0);
        auto* label = new QLabel(title);
        QFont bold = label->font();
        bold.setBold(true);
        label->setFont(bold);
        label->setBuddy(widget);
        layout->addWidget(label);
        layout->addWidget(widget, 1);
        if (below)
            layout->addWidget(below);
        return box;
    };
    auto* inputs = new QSplitter(Qt::Vertical);
    inputs->addWidget(titled(tr("Model &output"), m_output));
    inputs->addWidget(titled(tr("Rea&soning"), m_reasoning));
    inputs->addWidget(titled(tr("Too&ls (JSON)"), m_tools, m_toolsError));
    inputs->setStretchFactor(0, 5);
    inputs->setStretchFactor(1, 1);
    inputs->setStretchFactor(2, 4);
    inputs->setChildrenCollapsible(false);

    // Results.
    m_verdict = new QLabel;
    m_verdict->setObjectName(u"verdict"_s);
    m_verdict->setWordWrap(true);
    m_verdict->setMargin(8);
    m_verdict->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_summary = new QLabel;
    m_summary->setObjectName(u"format"_s);
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto makeBrowser = [](const QString& name) {
        auto* browser = new QTextBrowser;
        browser->setObjectName(name);
        browser->setOpenLinks(false);
        return browser;
    };
    m_calls = makeBrowser(u"calls"_s);
    m_leftover = makeBrowser(u"leftover"_s);
    m_correction = makeBrowser(u"correction"_s);
    m_copyCorrection = new QPushButton(tr("Copy turns as &JSON"));
    m_copyCorrection->setObjectName(u"copyCorrection"_s);
    m_copyCorrection->setEnabled(false);
    connect(m_copyCorrection, &QPushButton::clicked, this,
        [this] { QApplication::clipboard()->setText(m_correctionJson); });
    auto* copyRow = new QWidget;
    auto* copyLayout = new QHBoxLayout(copyRow);
    copyLayout->setContentsMargins(0, 0, 0, 0);
    copyLayout->addStretch(1);
    copyLayout->addWidget(m_copyCorrection);

    auto* panes = new QSplitter(Qt::Vertical);
    panes->addWidget(titled(tr("Calls, repairs and validation &issues"), m_calls));
    panes->addWidget(titled(tr("Left o&ver"), m_leftover));
    panes->addWidget(titled(tr("Corrective t&urns (as the model reads them)"), m_correction, copyRow));
    panes->setStretchFactor(0, 5);
    panes->setStretchFactor(1, 2);
    panes->setStretchFactor(2, 4);
    panes->setChildrenCollapsible(false);
    auto* results = new QWidget;
    auto* resultsLayout = new QVBoxLayout(results);
    resultsLayout->setContentsMargins(0, 0, 0, 0);
    resultsLayout->addWidget(m_verdict);
    resultsLayout->addWidget(m_summary);
    resultsLayout->addWidget(panes, 1);

    auto* split = new QSplitter(Qt::Horizontal);
    split->addWidget(inputs);
    split->addWidget(results);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 1);
    split->setChildrenCollapsible(false);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(controls);
    layout->addWidget(split, 1);

    m_delay.setSingleShot(true);
    m_delay.setInterval(kDelayMs);
    connect(&m_delay, &QTimer::timeout, this, &FormatLab::analyze);
    for (QPlainTextEdit* edit : { m_output, m_reasoning, m_tools })
        connect(edit, &QPlainTextEdit::textChanged, this, &FormatLab::inputsChanged);
    connect(m_choice, &QComboBox::currentIndexChanged, this, [this] {
        m_namedTool->setEnabled(m_choice->currentData().toString() == u"named"_s);
        inputsChanged();
    });
    connect(m_namedTool, &QComboBox::currentTextChanged, this, &FormatLab::inputsChanged);
    connect(m_maxRetries, &QSpinBox::valueChanged, this, [this](int value) {
        m_attempt->setMaximum(value + 1);
        inputsChanged();
    });
    connect(m_attempt, &QSpinBox::valueChanged, this, &FormatLab::inputsChanged);

    styleVerdict();
    loadExample(0);
}

FormatLab::~FormatLab() = default;

void FormatLab::setGuardSettings(const Config::GuardSettings& settings)
{
    m_options = { settings.rescue, settings.repair };
    m_maxRetries->setValue(settings.maxRetries);
    inputsChanged();
}

void FormatLab::loadExample(int index)
{
    const QList<Example> all = examples();
    if (index < 0 || index >= all.size())
        return;
    m_output->setPlainText(all.at(index).output);
    m_reasoning->setPlainText(all.at(index).reasoning);
}

Guard::ToolChoice FormatLab::toolChoice() const
{
    // Built the way the proxy reads a request's tool_choice.
    const QString mode = m_choice->currentData().toString();
    if (mode == u"named"_s)
        return Guard::ToolChoice::fromRequest(QJsonObject { { u"type"_s, u"function"_s },
            { u"function"_s, QJsonObject { { u"name"_s, m_namedTool->currentText().trimmed() } } } });
    return Guard::ToolChoice::fromRequest(mode);
}

void FormatLab::inputsChanged()
{
    // A result for inputs that have changed since is never shown.
    m_job.cancel();
    m_pending = true;
    m_status->setText(tr("Analysing…"));
    m_delay.start();
}

void FormatLab::analyze()
{
    Guard::PreviewRequest request;
    request.output = m_output->toPlainText();
    request.reasoning = m_reasoning->toPlainText();
    request.toolsJson = m_tools->toPlainText();
    request.choice = toolChoice();
    request.maxRetries = m_maxRetries->value();
    request.attempt = m_attempt->value();
    request.options = m_options;
    const Colours colours = coloursFor(palette());
    m_job.run(
        this,
        [request, colours] {
            QElapsedTimer clock;
            clock.start();
            auto preview = std::make_shared<Guard::Preview>(Guard::previewGuard(request));
            Rendering rendering;
            rendering.summary = summaryOf(*preview);
            rendering.calls = callsHtml(*preview, colours);
            rendering.leftover = leftoverHtml(*preview, colours);
            rendering.correction = correctionHtml(*preview, request.attempt, request.maxRetries, colours);
            if (!preview->correction.isEmpty()) {
                QJsonArray turns;
                for (const QJsonObject& turn : preview->correction)
                    turns.append(turn);
                rendering.correctionJson
                    = QString::fromUtf8(QJsonDocument(turns).toJson(QJsonDocument::Indented));
            }
            rendering.preview = std::move(preview);
            rendering.inputSize = request.output.size();
            rendering.elapsedMs = clock.elapsed();
            return rendering;
        },
        [this](const Rendering& rendering) { showRendering(rendering); });
}

void FormatLab::showRendering(const Rendering& rendering)
{
    m_preview = rendering.preview;
    m_pending = false;
    const Guard::Preview& preview = *m_preview;
    const qsizetype size = rendering.inputSize;
    const QString amount
        = size < 10'000 ? tr("%1 characters").arg(size) : tr("%1 KB").arg((size + 512) / 1024);
    m_status->setText(tr("Analysed %1 in %2 ms").arg(amount).arg(rendering.elapsedMs));

    m_toolsError->setVisible(!preview.toolsError.isEmpty() || preview.toolsSkipped > 0);
    if (!preview.toolsError.isEmpty())
        m_toolsError->setText(preview.toolsError);
    else if (preview.toolsSkipped > 0)
        m_toolsError->setText(preview.toolsSkipped == 1
                ? tr("1 tool entry has no usable name (or repeats a name) and is ignored.")
                : tr("%1 tool entries have no usable name (or repeat a name) and are ignored.")
                      .arg(preview.toolsSkipped));

    // Keep what was typed in the named-tool box while offering the declared names.
    const QStringList names = preview.tools.names();
    QStringList offered;
    for (int i = 0; i < m_namedTool->count(); ++i)
        offered.append(m_namedTool->itemText(i));
    if (preview.toolsError.isEmpty() && offered != names) {
        const QSignalBlocker blocker(m_namedTool);
        const QString typed = m_namedTool->currentText();
        m_namedTool->clear();
        m_namedTool->addItems(names);
        m_namedTool->setCurrentText(typed.isEmpty() && !names.isEmpty() ? names.first() : typed);
    }

    m_summary->setText(rendering.summary);
    m_calls->setHtml(rendering.calls);
    m_leftover->setHtml(rendering.leftover);
    m_correction->setHtml(rendering.correction);
    m_correctionJson = rendering.correctionJson;
    m_copyCorrection->setEnabled(!m_correctionJson.isEmpty());
    styleVerdict();
    highlightSpans();
    emit previewShown();
}

void FormatLab::styleVerdict()
{
    Trace::Outcome look = Trace::Outcome::Passthrough;
    QString text;
    if (!m_preview) {
        text = tr("Paste a model's output to see what the guard makes of it.");
    } else if (!m_preview->toolsError.isEmpty()) {
        look = Trace::Outcome::Error;
        text = tr("<b>Tools JSON error</b> — %1").arg(m_preview->toolsError.toHtmlEscaped());
    } else if (!m_preview->guarded) {
        text = tr("<b>Not guarded</b> — %1").arg(m_preview->unguardedReason.toHtmlEscaped());
    } else {
        const QString reason = m_preview->decision.reason.toHtmlEscaped();
        switch (m_preview->decision.verdict) {
        case Guard::Decision::Verdict::Accept:
            look = Trace::Outcome::Passed;
            text = m_preview->analysis.anyRepaired() ? tr("<b>Accept</b> — %1, once repaired.").arg(reason)
                                                     : tr("<b>Accept</b> — %1.").arg(reason);
            break;
        case Guard::Decision::Verdict::Retry:
            look = Trace::Outcome::Retried;
            text = tr("<b>Retry</b> — %1. The corrective turns below go back to the model.").arg(reason);
            break;
        case Guard::Decision::Verdict::GiveUp:
            look = Trace::Outcome::GaveUp;
            text = tr("<b>Give up</b> — %1.").arg(reason);
            break;
        }
    }
    const QPalette& palette = this->palette();
    const QColor background = OutcomeStyle::background(look, palette);
    const QColor foreground = look == Trace::Outcome::Passthrough ? palette.color(QPalette::WindowText)
                                                                  : OutcomeStyle::foreground(look, palette);
    m_verdict->setStyleSheet(
        u"QLabel#verdict { background-color: %1; color: %2; border: 1px solid %3; border-radius: 4px; }"_s
            .arg(background.isValid() ? background.name() : palette.color(QPalette::AlternateBase).name(),
                foreground.name(), palette.color(QPalette::Mid).name()));
    m_verdict->setText(text);
}

void FormatLab::highlightSpans()
{
    QList<QTextEdit::ExtraSelection> selections;
    if (m_preview && m_preview->input == Guard::Preview::Input::Text && m_preview->toolsError.isEmpty()) {
        const QPalette& palette = this->palette();
        const QColor base = palette.color(QPalette::Base);
        auto blend = [&base](const QColor& colour, double amount) {
            return QColor::fromRgbF(base.redF() + (colour.redF() - base.redF()) * amount,
                base.greenF() + (colour.greenF() - base.greenF()) * amount,
                base.blueF() + (colour.blueF() - base.blueF()) * amount);
        };
        const qsizetype length = m_output->document()->characterCount() - 1;
        auto add = [&](const Guard::TextSpan& span, const QColor& colour) {
            QTextEdit::ExtraSelection selection;
            selection.cursor = QTextCursor(m_output->document());
            selection.cursor.setPosition(int(std::min(span.start, length)));
            selection.cursor.setPosition(int(std::min(span.end, length)), QTextCursor::KeepAnchor);
            selection.format.setBackground(colour);
            selections.append(selection);
        };
        // Markup and reasoning the client does not see, faintly; each call's own text, clearly.
        for (const Guard::TextSpan& span : m_preview->analysis.removedSpans)
            add(span, blend(palette.color(QPalette::Mid), 0.35));
        for (const Guard::CheckedCall& call : m_preview->analysis.calls) {
            if (call.rescued)
                add(call.span, blend(palette.color(QPalette::Highlight), 0.3));
        }
    }
    m_output->setExtraSelections(selections);
}

void FormatLab::changeEvent(QEvent* event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange && m_verdict) {
        styleVerdict();
        highlightSpans();
        inputsChanged(); // the panes' colours are rendered with the results
    }
}
