#include "settingsdialog.h"

#include "backend/backendclient.h"
#include "outcomestyle.h"
#include "proxy/proxyservice.h"
#include "trace/redaction.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QDialogButtonBox>
#include <QEvent>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHostAddress>
#include <QLabel>
#include <QLineEdit>
#include <QPainter>
#include <QPainterPath>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QTcpServer>
#include <QToolButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace {

constexpr Backend::Kind kKinds[] = { Backend::Kind::Auto, Backend::Kind::LlamaServer,
    Backend::Kind::Llamafile, Backend::Kind::Ollama, Backend::Kind::Vllm, Backend::Kind::OpenAi };

// The command-line options that set a field of this dialog.
const QStringList kDialogOptions = { u"backend-url"_s, u"demo"_s, u"backend-kind"_s, u"model"_s, u"api-key"_s,
    u"context-length"_s, u"backend-timeout"_s, u"host"_s, u"port"_s, u"no-guard"_s, u"no-rescue"_s,
    u"no-repair"_s, u"max-retries"_s, u"on-exhausted"_s };

// An eye, open or struck through, in the palette's text colour: the reveal action needs an icon
// and icon themes are not everywhere (offscreen, minimal desktops).
QIcon eyeIcon(const QPalette& palette, bool struck)
{
    const QString themeName = struck ? u"view-hidden"_s : u"view-visible"_s;
    if (QIcon::hasThemeIcon(themeName))
        return QIcon::fromTheme(themeName);
    QPixmap pixmap(32, 32);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(QPen(palette.color(QPalette::Text), 2.4));
    QPainterPath outline;
    outline.moveTo(3, 16);
    outline.quadTo(16, 3, 29, 16);
    outline.quadTo(16, 29, 3, 16);
    painter.drawPath(outline);
    painter.setBrush(palette.color(QPalette::Text));
    painter.drawEllipse(QPointF(16, 16), 4.5, 4.5);
    if (struck) {
        painter.setPen(QPen(palette.color(QPalette::Base), 5));
        painter.drawLine(QPointF(7, 27), QPointF(25, 5));
        painter.setPen(QPen(palette.color(QPalette::Text), 2.4));
        painter.drawLine(QPointF(7, 27), QPointF(25, 5));
    }
    painter.end();
    return QIcon(pixmap);
}

bool isListenHost(const QString& host)
{
    return host == "localhost"_L1 || !QHostAddress(host).isNull();
}

// Labels in the forms do not wrap: a word-wrapped label in a QFormLayout gets the height of
// its size hint's narrow guess, not of the width it is given. Texts there are kept short, with
// explicit line breaks where needed.
QLabel* infoLabel()
{
    auto* label = new QLabel;
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    label->setTextFormat(Qt::PlainText);
    return label;
}

QLabel* wrappingLabel()
{
    QLabel* label = infoLabel();
    label->setWordWrap(true);
    return label;
}

// A long model list (a hosted API lists hundreds) as a few names and a count.
QString modelSummary(const QStringList& models)
{
    constexpr int kShown = 6;
    if (models.size() <= kShown)
        return models.join(u", "_s);
    return QCoreApplication::translate(
        "SettingsDialog", "%1 and %n more", nullptr, int(models.size() - kShown))
        .arg(models.first(kShown).join(u", "_s));
}

} // namespace

SettingsDialog::SettingsDialog(Proxy::ProxyService* proxy, QWidget* parent)
    : QDialog(parent)
    , m_proxy(proxy)
    , m_keyring(new Config::KeyringStore(this))
{
    setObjectName(u"settingsDialog"_s);
    setWindowTitle(tr("Backend settings"));
    buildUi();

    QSettings file;
    m_savedVariable = Config::SettingsStore(&file).load().apiKeyVariable;
    m_variableEdit->setText(m_savedVariable);
    m_latestInfo = m_proxy->backendInfo();
    loadFields(m_proxy->settings());
    showInfo(m_latestInfo, false);
    // Until a test runs, the panel follows the running backend's discovery.
    connect(m_proxy, &Proxy::ProxyService::backendInfoChanged, this, [this](const Backend::Info& info) {
        if (m_testDiscovery)
            return;
        m_latestInfo = info;
        showInfo(info, false);
        updateKindLabel();
    });
    checkKeyring();
}

SettingsDialog::~SettingsDialog() = default;

void SettingsDialog::buildUi()
{
    // Backend
    m_urlEdit = new QLineEdit;
    m_urlEdit->setObjectName(u"backendUrlEdit"_s);
    m_urlEdit->setPlaceholderText(tr("http://127.0.0.1:8080 or https://host/v1"));
    m_kindCombo = new QComboBox;
    m_kindCombo->setObjectName(u"kindCombo"_s);
    for (Backend::Kind kind : kKinds)
        m_kindCombo->addItem(Backend::kindName(kind), int(kind));
    m_modelCombo = new QComboBox;
    m_modelCombo->setObjectName(u"modelCombo"_s);
    m_modelCombo->setEditable(true);
    m_modelCombo->setInsertPolicy(QComboBox::NoInsert);
    m_modelCombo->lineEdit()->setPlaceholderText(tr("client's choice"));
    m_modelCombo->setToolTip(tr("The model every request goes to; empty: the one each client asks for."));

    m_keyEdit = new QLineEdit;
    m_keyEdit->setObjectName(u"apiKeyEdit"_s);
    m_keyEdit->setEchoMode(QLineEdit::Password);
    m_keyEdit->setClearButtonEnabled(false);
    m_revealAction = new QAction(this);
    m_revealAction->setObjectName(u"revealKeyAction"_s);
    m_revealAction->setCheckable(true);
    m_revealAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    m_revealAction->setShortcutContext(Qt::WidgetShortcut);
    m_keyEdit->addAction(m_revealAction, QLineEdit::TrailingPosition);
    connect(m_revealAction, &QAction::toggled, this, &SettingsDialog::setKeyRevealed);
    setKeyRevealed(false);
    connect(m_keyEdit, &QLineEdit::textEdited, this, [this] {
        if (!m_keyEdit->text().isEmpty())
            m_keyRemoved = false;
        updateKeyInfo();
    });
    m_forgetButton = new QToolButton;
    m_forgetButton->setObjectName(u"forgetKeyButton"_s);
    m_forgetButton->setText(tr("Remove"));
    m_forgetButton->setToolTip(tr("Use no key: removed from the keyring when applied"));
    connect(m_forgetButton, &QToolButton::clicked, this, &SettingsDialog::forgetKey);
    auto* keyRow = new QHBoxLayout;
    keyRow->setContentsMargins(0, 0, 0, 0);
    keyRow->addWidget(m_keyEdit, 1);
    keyRow->addWidget(m_forgetButton);
    m_keyInUseLabel = infoLabel();
    m_keyInUseLabel->setObjectName(u"keyInUseLabel"_s);
    m_keyStorageLabel = infoLabel();
    m_keyStorageLabel->setObjectName(u"keyStorageLabel"_s);
    m_variableEdit = new QLineEdit;
    m_variableEdit->setObjectName(u"keyVariableEdit"_s);
    m_variableEdit->setPlaceholderText(tr("e.g. OPENROUTER_API_KEY"));
    m_variableEdit->setToolTip(
        tr("Where the key is read from when there is no keyring. Only the name is saved."));
    connect(m_variableEdit, &QLineEdit::textChanged, this, &SettingsDialog::updateKeyInfo);

    m_contextSpin = new QSpinBox;
    m_contextSpin->setObjectName(u"contextLengthSpin"_s);
    m_contextSpin->setRange(0, std::numeric_limits<int>::max());
    m_contextSpin->setSpecialValueText(tr("none"));
    m_contextSpin->setSuffix(tr(" tokens"));
    m_contextSpin->setToolTip(tr("Shown as the context length when the backend does not say"));
    m_timeoutSpin = new QSpinBox;
    m_timeoutSpin->setObjectName(u"timeoutSpin"_s);
    m_timeoutSpin->setRange(1, 24 * 3600);
    m_timeoutSpin->setSuffix(tr(" s"));
    m_timeoutSpin->setToolTip(tr("Give up (504) when the backend sends nothing for this long"));

    auto* backendForm = new QFormLayout;
    backendForm->addRow(tr("&URL:"), m_urlEdit);
    backendForm->addRow(tr("&Kind:"), m_kindCombo);
    backendForm->addRow(tr("&Model:"), m_modelCombo);
    auto* keyLabel = new QLabel(tr("API &key:"));
    keyLabel->setBuddy(m_keyEdit);
    backendForm->addRow(keyLabel, keyRow);
    backendForm->addRow(QString(), m_keyInUseLabel);
    backendForm->addRow(QString(), m_keyStorageLabel);
    backendForm->addRow(tr("Key &variable:"), m_variableEdit);
    backendForm->addRow(tr("Context &fallback:"), m_contextSpin);
    backendForm->addRow(tr("&Timeout:"), m_timeoutSpin);
    auto* backendGroup = new QGroupBox(tr("Backend"));
    backendGroup->setLayout(backendForm);

    // Connection test
    m_testButton = new QPushButton(tr("&Test connection"));
    m_testButton->setObjectName(u"testConnectionButton"_s);
    m_testButton->setAutoDefault(false);
    connect(m_testButton, &QPushButton::clicked, this, &SettingsDialog::testConnection);
    m_testCaption = infoLabel();
    m_testCaption->setObjectName(u"testCaptionLabel"_s);
    m_reachLabel = infoLabel();
    m_reachLabel->setObjectName(u"reachLabel"_s);
    m_detectedLabel = infoLabel();
    m_detectedLabel->setObjectName(u"detectedKindLabel"_s);
    m_modelsLabel = infoLabel();
    m_modelsLabel->setObjectName(u"modelsLabel"_s);
    m_contextLabel = infoLabel();
    m_contextLabel->setObjectName(u"contextLabel"_s);
    auto* testHeader = new QHBoxLayout;
    testHeader->addWidget(m_testCaption, 1);
    testHeader->addWidget(m_testButton, 0, Qt::AlignTop);
    auto* testForm = new QFormLayout;
    testForm->addRow(tr("Status:"), m_reachLabel);
    testForm->addRow(tr("Detected:"), m_detectedLabel);
    testForm->addRow(tr("Models:"), m_modelsLabel);
    testForm->addRow(tr("Context:"), m_contextLabel);
    auto* testLayout = new QVBoxLayout;
    testLayout->addLayout(testHeader);
    testLayout->addLayout(testForm);
    testLayout->addStretch(1);
    auto* testGroup = new QGroupBox(tr("Connection"));
    testGroup->setLayout(testLayout);

    // Listen
    m_hostEdit = new QLineEdit;
    m_hostEdit->setObjectName(u"hostEdit"_s);
    m_hostEdit->setToolTip(tr("127.0.0.1 keeps Temper to this machine; 0.0.0.0 opens it to the network"));
    m_portSpin = new QSpinBox;
    m_portSpin->setObjectName(u"portSpin"_s);
    m_portSpin->setRange(0, 65535);
    m_portSpin->setSpecialValueText(tr("any free port"));
    auto* listenForm = new QFormLayout;
    listenForm->addRow(tr("&Host:"), m_hostEdit);
    listenForm->addRow(tr("&Port:"), m_portSpin);
    auto* listenGroup = new QGroupBox(tr("Listen"));
    listenGroup->setLayout(listenForm);

    // Guard
    m_guardCheck = new QCheckBox(tr("&Guard requests that declare tools"));
    m_guardCheck->setObjectName(u"guardCheck"_s);
    m_rescueCheck = new QCheckBox(tr("Re&scue tool calls written as text"));
    m_rescueCheck->setObjectName(u"rescueCheck"_s);
    m_repairCheck = new QCheckBox(tr("Re&pair arguments that are safe to fix"));
    m_repairCheck->setObjectName(u"repairCheck"_s);
    m_retriesSpin = new QSpinBox;
    m_retriesSpin->setObjectName(u"maxRetriesSpin"_s);
    m_retriesSpin->setRange(0, 20);
    m_retriesSpin->setSpecialValueText(tr("never retry"));
    m_exhaustedCombo = new QComboBox;
    m_exhaustedCombo->setObjectName(u"onExhaustedCombo"_s);
    m_exhaustedCombo->addItem(
        tr("send the last answer, marked gave-up"), int(Config::OnExhausted::LastAttempt));
    m_exhaustedCombo->addItem(tr("send an error (502)"), int(Config::OnExhausted::Error));
    const auto guardLayers = [this] {
        m_rescueCheck->setEnabled(m_guardCheck->isChecked());
        m_repairCheck->setEnabled(m_guardCheck->isChecked());
        m_retriesSpin->setEnabled(m_guardCheck->isChecked());
        m_exhaustedCombo->setEnabled(m_guardCheck->isChecked());
    };
    connect(m_guardCheck, &QCheckBox::toggled, this, guardLayers);
    auto* guardForm = new QFormLayout;
    guardForm->addRow(m_guardCheck);
    guardForm->addRow(m_rescueCheck);
    guardForm->addRow(m_repairCheck);
    guardForm->addRow(tr("Max &retries:"), m_retriesSpin);
    guardForm->addRow(tr("When retries &run out:"), m_exhaustedCombo);
    auto* guardGroup = new QGroupBox(tr("Guard"));
    guardGroup->setLayout(guardForm);

    m_commandLineLabel = wrappingLabel();
    m_commandLineLabel->setObjectName(u"commandLineLabel"_s);
    m_commandLineLabel->hide();
    m_problemLabel = wrappingLabel();
    m_problemLabel->setObjectName(u"problemLabel"_s);
    m_problemLabel->hide();

    m_buttons
        = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Apply | QDialogButtonBox::Cancel);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &SettingsDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &SettingsDialog::reject);
    connect(m_buttons->button(QDialogButtonBox::Apply), &QPushButton::clicked, this, &SettingsDialog::apply);

    // The backend across the whole width, so that its explanations fit on a line; below it
    // what the test found, beside the listen address and the guard.
    auto* right = new QVBoxLayout;
    right->addWidget(listenGroup);
    right->addWidget(guardGroup);
    right->addStretch(1);
    auto* columns = new QHBoxLayout;
    columns->addWidget(testGroup, 1);
    columns->addLayout(right, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(backendGroup);
    layout->addLayout(columns, 1);
    layout->addWidget(m_commandLineLabel);
    layout->addWidget(m_problemLabel);
    layout->addWidget(m_buttons);
    // Wide enough for each explanation on a line of its own.
    setMinimumWidth(fontMetrics().averageCharWidth() * 150);

    connect(m_urlEdit, &QLineEdit::textChanged, this, &SettingsDialog::updateKindLabel);
    guardLayers();
}

void SettingsDialog::loadFields(const Config::Settings& settings)
{
    m_urlEdit->setText(settings.backend.url.toString());
    m_kindCombo->setCurrentIndex(m_kindCombo->findData(int(settings.backend.kind)));
    m_modelCombo->setEditText(settings.backend.model);
    m_contextSpin->setValue(settings.backend.contextLength > 0
            ? int(qMin<qint64>(settings.backend.contextLength, m_contextSpin->maximum()))
            : 0);
    m_timeoutSpin->setValue(settings.backend.timeoutMs / 1000);
    m_hostEdit->setText(settings.host);
    m_portSpin->setValue(settings.port);
    m_guardCheck->setChecked(settings.guard.enabled);
    m_rescueCheck->setChecked(settings.guard.rescue);
    m_repairCheck->setChecked(settings.guard.repair);
    m_retriesSpin->setValue(settings.guard.maxRetries);
    m_exhaustedCombo->setCurrentIndex(m_exhaustedCombo->findData(int(settings.guard.onExhausted)));
    m_keyEdit->clear();
    m_keyRemoved = false;
    m_revealAction->setChecked(false);
    updateKindLabel();
    updateKeyInfo();
}

void SettingsDialog::setCommandLine(const Config::CommandLine& commandLine)
{
    m_commandLine = commandLine;
    QStringList given;
    for (const QString& option : kDialogOptions) {
        if (commandLine.explicitOptions.contains(option))
            given.append(u"--"_s + option);
    }
    m_commandLineLabel->setVisible(!given.isEmpty());
    m_commandLineLabel->setText(tr("Started with %1: those fields show this run's values. The saved values "
                                   "stay as they were unless you change "
                                   "the field here.")
                                    .arg(given.join(u", "_s)));
    updateKeyInfo();
}

void SettingsDialog::checkKeyring()
{
    m_keyringReply.reset();
    updateKeyInfo();
    m_keyring->read([this](const Config::KeyringReply& reply) {
        m_keyringReply = reply;
        updateKeyInfo();
        emit keyringChecked(*m_keyringReply);
    });
}

QString SettingsDialog::enteredKey() const
{
    if (m_keyRemoved)
        return QString();
    if (keyEdited())
        return m_keyEdit->text();
    // A key read from the environment follows the variable's new name.
    const QString variable = m_variableEdit->text().trimmed();
    if ((m_keyInUse.origin == Config::KeyOrigin::Variable || m_keyInUse.origin == Config::KeyOrigin::None)
        && variable != m_savedVariable) {
        return variable.isEmpty() ? QString() : QProcessEnvironment::systemEnvironment().value(variable);
    }
    return m_proxy->settings().backend.apiKey;
}

bool SettingsDialog::keyEdited() const
{
    const QString text = m_keyEdit->text();
    return !text.isEmpty() && text != m_proxy->settings().backend.apiKey;
}

void SettingsDialog::setKeyRevealed(bool revealed)
{
    m_revealAction->setIcon(eyeIcon(palette(), revealed));
    m_revealAction->setText(revealed ? tr("Hide the key") : tr("Show the key"));
    m_revealAction->setToolTip(m_revealAction->text() + u" ("_s
        + m_revealAction->shortcut().toString(QKeySequence::NativeText) + u')');
    m_keyEdit->setEchoMode(revealed ? QLineEdit::Normal : QLineEdit::Password);
    const QString runKey = m_proxy->settings().backend.apiKey;
    // The key in use enters the field only on demand, and leaves it when hidden again.
    if (revealed && m_keyEdit->text().isEmpty() && !m_keyRemoved)
        m_keyEdit->setText(runKey);
    else if (!revealed && m_keyEdit->text() == runKey)
        m_keyEdit->clear();
}

void SettingsDialog::forgetKey()
{
    m_keyRemoved = true;
    m_revealAction->setChecked(false);
    m_keyEdit->clear();
    updateKeyInfo();
}

void SettingsDialog::updateKeyInfo()
{
    const QString runKey = m_proxy->settings().backend.apiKey;
    const QString variable = m_variableEdit->text().trimmed();
    Config::KeyringReply keyring;
    if (m_keyringReply)
        keyring = *m_keyringReply;
    const Config::ApiKey resolved = Config::resolveApiKey(
        m_commandLine, keyring, m_savedVariable, QProcessEnvironment::systemEnvironment());
    m_keyInUse = Config::ApiKey();
    if (!runKey.isEmpty()) {
        m_keyInUse = resolved.key == runKey ? resolved
                                            : Config::ApiKey { runKey, Config::KeyOrigin::Typed, QString() };
        if (m_keyInUse.origin == Config::KeyOrigin::Typed
            && keyring.status == Config::KeyringReply::Status::Found && keyring.key == runKey)
            m_keyInUse.origin = Config::KeyOrigin::Keyring; // entered here and kept in the keyring
        if (!m_keyringReply && m_keyInUse.origin == Config::KeyOrigin::Typed)
            m_keyInUse.origin = Config::KeyOrigin::None; // not known until the keyring answers
    }

    if (m_keyRemoved)
        m_keyEdit->setPlaceholderText(tr("no key (removed when applied)"));
    else if (runKey.isEmpty())
        m_keyEdit->setPlaceholderText(tr("none; type a key to use one"));
    else
        m_keyEdit->setPlaceholderText(tr("%1 (type to replace)").arg(Trace::maskSecret(runKey)));
    m_forgetButton->setEnabled(!m_keyRemoved && (!runKey.isEmpty() || !m_keyEdit->text().isEmpty()));

    if (runKey.isEmpty())
        m_keyInUseLabel->setText(tr("In use: %1.").arg(Config::describeKeyOrigin(Config::ApiKey())));
    else if (!m_keyringReply && m_keyInUse.origin == Config::KeyOrigin::None)
        m_keyInUseLabel->setText(tr("In use: %1.").arg(Trace::maskSecret(runKey)));
    else
        m_keyInUseLabel->setText(
            tr("In use: %1, %2.").arg(Trace::maskSecret(runKey), Config::describeKeyOrigin(m_keyInUse)));

    if (!m_keyringReply)
        m_keyStorageLabel->setText(tr("Asking the system keyring\u2026"));
    else
        m_keyStorageLabel->setText(Config::describeKeyStorage(*m_keyringReply, variable));
    growToFit();
}

void SettingsDialog::updateKindLabel()
{
    const QUrl url = QUrl::fromUserInput(m_urlEdit->text().trimmed());
    const bool known = m_latestInfo.detectedKind != Backend::Kind::Auto && QUrl(m_latestInfo.url) == url;
    m_kindCombo->setItemText(
        0, known ? tr("auto (detected: %1)").arg(Backend::kindName(m_latestInfo.detectedKind)) : tr("auto"));
}

void SettingsDialog::growToFit()
{
    // A top-level window does not grow by itself when a label gets a longer text.
    if (!isVisible() || !layout())
        return;
    QSize needed = size().expandedTo(minimumSizeHint());
    if (layout()->hasHeightForWidth())
        needed.setHeight(qMax(needed.height(), layout()->totalHeightForWidth(needed.width())));
    if (needed != size())
        resize(needed);
}

void SettingsDialog::changeEvent(QEvent* event)
{
    QDialog::changeEvent(event);
    // Colours and the painted icon follow a new palette (light to dark).
    if (event->type() == QEvent::PaletteChange && m_reachLabel) {
        m_revealAction->setIcon(eyeIcon(palette(), m_revealAction->isChecked()));
        showInfo(m_latestInfo, m_showingTest);
        showProblem(m_problemLabel->text());
    }
}

void SettingsDialog::showInfo(const Backend::Info& info, bool tested)
{
    m_showingTest = tested;
    const QPalette& palette = this->palette();
    const QString time = QLocale().toString(info.checkedAt.time(), QLocale::ShortFormat);
    if (tested)
        m_testCaption->setText(tr("Tested %1 at %2.").arg(info.url, time));
    else if (info.checkedAt.isValid())
        m_testCaption->setText(tr("The running backend, %1, checked at %2.").arg(info.url, time));
    else
        m_testCaption->setText(tr("The running backend, %1, not checked yet.").arg(info.url));
    if (!info.checkedAt.isValid()) {
        m_reachLabel->setText(tr("not checked yet"));
        m_reachLabel->setStyleSheet(QString());
    } else if (info.reachable) {
        m_reachLabel->setText(info.serverVersion.isEmpty()
                ? tr("\u2713 reachable")
                : tr("\u2713 reachable (%1)").arg(info.serverVersion));
        m_reachLabel->setStyleSheet(
            u"color: %1"_s.arg(OutcomeStyle::foreground(Trace::Outcome::Passed, palette).name()));
    } else {
        m_reachLabel->setText(
            tr("\u2717 not reachable: %1").arg(info.problem.isEmpty() ? tr("no answer") : info.problem));
        m_reachLabel->setStyleSheet(
            u"color: %1"_s.arg(OutcomeStyle::foreground(Trace::Outcome::Error, palette).name()));
    }
    m_detectedLabel->setText(
        info.detectedKind == Backend::Kind::Auto ? tr("unknown") : Backend::kindName(info.detectedKind));
    m_modelsLabel->setText(info.models.isEmpty() ? tr("none listed") : modelSummary(info.models));
    m_modelsLabel->setToolTip(info.models.size() > 1
            ? info.models.first(qMin<qsizetype>(info.models.size(), 40)).join(u'\n')
            : QString());
    if (info.contextLength > 0) {
        // The dialog's fallback is what --context-length sets.
        const QString source = info.contextSource == "--context-length"_L1 ? tr("the configured fallback")
                                                                           : info.contextSource;
        m_contextLabel->setText(tr("%1 tokens\nfrom %2").arg(QLocale().toString(info.contextLength), source));
    } else {
        m_contextLabel->setText(tr("unknown: the backend does not say"));
    }

    // The model list offers what this backend serves, keeping whatever is typed.
    if (QUrl(info.url) == QUrl::fromUserInput(m_urlEdit->text().trimmed())) {
        const QString typed = m_modelCombo->currentText();
        m_modelCombo->clear();
        m_modelCombo->addItems(info.models);
        m_modelCombo->setEditText(typed);
    }
    growToFit();
}

std::optional<Config::Settings> SettingsDialog::editedSettings(QString* problem) const
{
    auto fail = [problem](const QString& text) -> std::optional<Config::Settings> {
        if (problem)
            *problem = text;
        return std::nullopt;
    };
    Config::Settings s = m_proxy->settings(); // what the dialog does not show stays as it runs
    const QString urlText = m_urlEdit->text().trimmed();
    const QUrl url = QUrl::fromUserInput(urlText);
    if (urlText.isEmpty() || !url.isValid() || (url.scheme() != "http"_L1 && url.scheme() != "https"_L1)
        || url.host().isEmpty())
        return fail(tr("The backend URL needs http:// or https:// and a host, like http://127.0.0.1:8080."));
    const QString host = m_hostEdit->text().trimmed();
    if (!isListenHost(host))
        return fail(tr("The listen host must be an IP address such as 127.0.0.1 or 0.0.0.0, or localhost."));
    const QString variable = m_variableEdit->text().trimmed();
    if (!variable.isEmpty() && !Config::isEnvironmentVariableName(variable))
        return fail(
            tr("The key variable must be the name of an environment variable: letters, digits and _."));

    s.backend.url = url;
    s.backend.kind = Backend::Kind(m_kindCombo->currentData().toInt());
    s.backend.model = m_modelCombo->currentText().trimmed();
    s.backend.apiKey = enteredKey();
    s.backend.contextLength = m_contextSpin->value() > 0 ? m_contextSpin->value() : -1;
    s.backend.timeoutMs = m_timeoutSpin->value() * 1000;
    s.host = host;
    s.port = quint16(m_portSpin->value());
    s.guard.enabled = m_guardCheck->isChecked();
    s.guard.rescue = m_rescueCheck->isChecked();
    s.guard.repair = m_repairCheck->isChecked();
    s.guard.maxRetries = m_retriesSpin->value();
    s.guard.onExhausted = Config::OnExhausted(m_exhaustedCombo->currentData().toInt());
    return s;
}

void SettingsDialog::showProblem(const QString& problem)
{
    m_problemLabel->setVisible(!problem.isEmpty());
    m_problemLabel->setText(problem);
    m_problemLabel->setStyleSheet(
        u"color: %1"_s.arg(OutcomeStyle::foreground(Trace::Outcome::Error, palette()).name()));
    growToFit();
}

bool SettingsDialog::apply()
{
    QString problem;
    const std::optional<Config::Settings> edited = editedSettings(&problem);
    if (!edited) {
        showProblem(problem);
        return false;
    }
    const Config::Settings before = m_proxy->settings();
    const bool wasListening = m_proxy->isListening();
    QString error;
    // A taken port is found before the running server is stopped for the move.
    const bool moves = edited->host != before.host || edited->port != before.port;
    if (wasListening && moves && edited->port != 0) {
        QTcpServer probe;
        const QHostAddress address = edited->host == "localhost"_L1 ? QHostAddress(QHostAddress::LocalHost)
                                                                    : QHostAddress(edited->host);
        if (!probe.listen(address, edited->port)) {
            showProblem(tr("Not applied: cannot listen on %1:%2: %3. Temper keeps its previous settings.")
                            .arg(edited->host)
                            .arg(edited->port)
                            .arg(probe.errorString()));
            return false;
        }
    }
    if (!m_proxy->applySettings(*edited, &error)) {
        // A failed restart leaves the proxy stopped: back to the address it had.
        QString ignored;
        m_proxy->applySettings(before, &ignored);
        if (wasListening && !m_proxy->isListening())
            m_proxy->start(&ignored);
        showProblem(tr("Not applied: %1. Temper keeps its previous settings.").arg(error));
        return false;
    }

    QSettings file;
    Config::SettingsStore store(&file);
    Config::StoredSettings stored = store.load();
    stored.settings = Config::applyEdits(stored.settings, before, *edited);
    stored.apiKeyVariable = m_variableEdit->text().trimmed();
    m_savedVariable = stored.apiKeyVariable;
    showProblem(store.save(stored, &error) ? QString() : tr("Applied, but not saved: %1.").arg(error));

    const bool keyChanged = edited->backend.apiKey != before.backend.apiKey && (keyEdited() || m_keyRemoved);
    if (keyChanged && (!m_keyringReply || m_keyringReply->keyringAnswered())) {
        const QString key = edited->backend.apiKey;
        m_keyring->write(key, [this, key](const Config::KeyringReply& reply) {
            if (reply.keyringAnswered()) {
                // What a read would now say.
                Config::KeyringReply entry;
                entry.status = key.isEmpty() ? Config::KeyringReply::Status::NotFound
                                             : Config::KeyringReply::Status::Found;
                entry.key = key;
                m_keyringReply = entry;
            }
            updateKeyInfo();
            if (!reply.keyringAnswered())
                m_keyStorageLabel->setText(
                    tr("Not kept in the keyring (%1): the key lasts for this run.").arg(reply.reason));
            growToFit();
            emit keyringWritten(reply);
        });
    }
    m_keyRemoved = false;
    m_revealAction->setChecked(false);
    m_keyEdit->clear();
    updateKeyInfo();
    updateKindLabel();
    emit settingsApplied(*edited);
    return true;
}

void SettingsDialog::accept()
{
    if (apply())
        QDialog::accept();
}

void SettingsDialog::testConnection()
{
    QString problem;
    const std::optional<Config::Settings> edited = editedSettings(&problem);
    if (!edited) {
        showProblem(problem);
        return;
    }
    showProblem(QString());
    if (!m_testDiscovery) {
        m_testClient = new Backend::Client(this);
        m_testDiscovery = new Backend::Discovery(m_testClient, this);
        connect(m_testDiscovery, &Backend::Discovery::infoChanged, this, [this](const Backend::Info& info) {
            m_testButton->setEnabled(true);
            m_latestInfo = info;
            showInfo(info, true);
            updateKindLabel();
            emit connectionTested(info);
        });
    }
    m_testDiscovery->setProfile(edited->backend);
    m_testButton->setEnabled(false);
    m_testCaption->setText(tr("Testing %1\u2026").arg(edited->backend.url.toString()));
    m_testDiscovery->refresh();
}
