// The backend settings dialog against real demo backends and a real proxy: what it shows, the
// key masked everywhere until revealed, Test connection without touching the running proxy,
// Apply live, validation, Cancel, and the keyring fallback on a machine without a keyring.
#include "exchangefixtures.h"
#include "mainwindow.h"
#include "settingsdialog.h"

#include "config/settingsstore.h"
#include "trace/redaction.h"

#include <QAbstractButton>
#include <QAbstractSpinBox>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QToolButton>
#include "uitestsupport.h"

#include <QtTest>

using namespace Qt::StringLiterals;

namespace {

const QString kKey = u"sk-or-v1-0123456789abcdef-SECRET-7f3e"_s;

// Every text a person or an accessibility tool can get out of the dialog's widgets.
QStringList widgetTexts(QWidget* root)
{
    QStringList texts { root->windowTitle(), root->toolTip() };
    QList<QWidget*> widgets = root->findChildren<QWidget*>();
    widgets.append(root);
    for (QWidget* widget : std::as_const(widgets)) {
        texts << widget->toolTip() << widget->whatsThis() << widget->accessibleName() << widget->statusTip();
        if (auto* edit = qobject_cast<QLineEdit*>(widget))
            texts << edit->text() << edit->placeholderText() << edit->displayText();
        if (auto* label = qobject_cast<QLabel*>(widget))
            texts << label->text();
        if (auto* button = qobject_cast<QAbstractButton*>(widget))
            texts << button->text();
        if (auto* combo = qobject_cast<QComboBox*>(widget)) {
            texts << combo->currentText();
            for (int i = 0; i < combo->count(); ++i)
                texts << combo->itemText(i);
        }
        if (auto* spin = qobject_cast<QAbstractSpinBox*>(widget))
            texts << spin->text();
        for (QAction* action : widget->actions())
            texts << action->text() << action->toolTip();
    }
    return texts;
}

bool anyContains(const QStringList& texts, const QString& needle)
{
    return std::any_of(
        texts.cbegin(), texts.cend(), [&](const QString& text) { return text.contains(needle); });
}

// A port nobody listens on.
quint16 closedPort()
{
    QTcpServer server;
    server.listen(QHostAddress::LocalHost, 0);
    const quint16 port = server.serverPort();
    server.close();
    return port;
}

int chatRequests(const Demo::Backend* backend)
{
    const QList<Demo::ReceivedRequest>& received = backend->received();
    return int(std::count_if(received.cbegin(), received.cend(),
        [](const Demo::ReceivedRequest& r) { return r.target.endsWith("/chat/completions"); }));
}

// The keyring's first answer has reached the dialog (it asks when it opens).
bool keyringAnswered(QWidget* dialog, int timeoutMs = 5000)
{
    auto* storage = dialog->findChild<QLabel*>(u"keyStorageLabel"_s);
    return storage
        && QTest::qWaitFor([storage] { return !storage->text().startsWith(u"Asking"_s); }, timeoutMs);
}

template <typename T> T* child(QWidget* dialog, const char* name)
{
    T* widget = dialog->findChild<T*>(QLatin1StringView(name));
    if (!widget)
        qWarning("no widget %s", name);
    return widget;
}

} // namespace

class TestSettingsDialog : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();
    void opensFromMainWindow();
    void showsCurrentSettings();
    void keyMaskedUntilRevealed();
    void testConnectionShowsModelsAndContext();
    void testConnectionToClosedPort();
    void applyChangesRunningProxy();
    void applySavesOnlyWhatChanged();
    void rejectsInvalidInput_data();
    void rejectsInvalidInput();
    void portInUseKeepsOldAddress();
    void cancelChangesNothing();
    void keyringFallback();
    void screenshot_data();
    void screenshot();

private:
    std::unique_ptr<SettingsDialog> makeDialog();
    QString settingsFile() const { return m_settingsDir.filePath(u"Temper/tst_ui_settingsdialog.conf"_s); }
    QByteArray settingsBytes() const;

    QTemporaryDir m_settingsDir;
    std::unique_ptr<DemoExchanges> m_demo;
    std::unique_ptr<Demo::Backend> m_second;
};

void TestSettingsDialog::initTestCase()
{
    QVERIFY(m_settingsDir.isValid());
    QCoreApplication::setOrganizationName(u"Temper"_s);
    QCoreApplication::setApplicationName(u"tst_ui_settingsdialog"_s);
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_settingsDir.path());
    qputenv("TEMPER_TEST_KEY", "sk-from-the-environment-5150");
}

void TestSettingsDialog::init()
{
    QSettings().clear();
    m_demo = std::make_unique<DemoExchanges>(kKey);
    Demo::Options options;
    options.modelName = u"second-model"_s;
    options.contextLength = 32768;
    options.firstByteDelayMs = 5;
    options.tokenDelayMs = 2;
    m_second = std::make_unique<Demo::Backend>(options);
    QVERIFY(m_second->start());
    // The running backend has been looked at, as in the window.
    QSignalSpy discovered(m_demo->proxy(), &Proxy::ProxyService::backendInfoChanged);
    m_demo->proxy()->discovery()->refresh();
    QVERIFY(discovered.wait(5000));
}

void TestSettingsDialog::cleanup()
{
    m_second.reset();
    m_demo.reset();
}

std::unique_ptr<SettingsDialog> TestSettingsDialog::makeDialog()
{
    auto dialog = std::make_unique<SettingsDialog>(m_demo->proxy());
    dialog->keyring()->setService(u"Temper-tests"_s);
    return dialog;
}

QByteArray TestSettingsDialog::settingsBytes() const
{
    QFile file(settingsFile());
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

void TestSettingsDialog::opensFromMainWindow()
{
    MainWindow window(m_demo->proxy());
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QAction* settings = window.action(u"actionSettings"_s);
    QVERIFY(settings);
    settings->trigger();
    QTRY_VERIFY(window.findChild<SettingsDialog*>(u"settingsDialog"_s));
    auto* dialog = window.findChild<SettingsDialog*>(u"settingsDialog"_s);
    QTRY_VERIFY(dialog->isVisible());
    settings->trigger(); // raises the open one
    QCOMPARE(window.findChildren<SettingsDialog*>().size(), 1);
    // It knows this run's command line (the test's own: no Temper options).
    QVERIFY(dialog->findChild<QLabel*>(u"commandLineLabel"_s)->isHidden());
    QVERIFY(!dialog->findChild<QLineEdit*>(u"backendUrlEdit"_s)->text().isEmpty());
    dialog->reject();
    QTRY_VERIFY(window.findChildren<SettingsDialog*>().isEmpty()); // deleted on close
}

void TestSettingsDialog::showsCurrentSettings()
{
    Config::Settings settings = m_demo->proxy()->settings();
    settings.backend.model = u"temper-demo-1.0"_s;
    settings.backend.contextLength = 4096;
    settings.guard.repair = false;
    settings.guard.maxRetries = 5;
    settings.guard.onExhausted = Config::OnExhausted::Error;
    QSignalSpy discovered(m_demo->proxy(), &Proxy::ProxyService::backendInfoChanged);
    QVERIFY(m_demo->proxy()->applySettings(settings));
    QVERIFY(discovered.wait(5000)); // a new profile is looked at again

    const auto dialog = makeDialog();
    QCOMPARE(dialog->objectName(), u"settingsDialog"_s);
    QCOMPARE(child<QLineEdit>(dialog.get(), "backendUrlEdit")->text(), m_demo->backend()->url().toString());
    QCOMPARE(child<QComboBox>(dialog.get(), "modelCombo")->currentText(), u"temper-demo-1.0"_s);
    QCOMPARE(child<QSpinBox>(dialog.get(), "contextLengthSpin")->value(), 4096);
    QCOMPARE(child<QLineEdit>(dialog.get(), "hostEdit")->text(), u"127.0.0.1"_s);
    QCOMPARE(child<QSpinBox>(dialog.get(), "maxRetriesSpin")->value(), 5);
    QVERIFY(child<QCheckBox>(dialog.get(), "guardCheck")->isChecked());
    QVERIFY(!child<QCheckBox>(dialog.get(), "repairCheck")->isChecked());
    QCOMPARE(child<QComboBox>(dialog.get(), "onExhaustedCombo")->currentData().toInt(),
        int(Config::OnExhausted::Error));
    // The kind says what discovery found; the model list is the backend's.
    QCOMPARE(child<QComboBox>(dialog.get(), "kindCombo")->itemText(0), u"auto (detected: llama-server)"_s);
    QCOMPARE(child<QComboBox>(dialog.get(), "modelCombo")->findText(u"temper-demo-1.0"_s), 0);
    // Unchanged fields apply as they are.
    const std::optional<Config::Settings> edited = dialog->editedSettings();
    QVERIFY(edited);
    QCOMPARE(edited->backend.url, settings.backend.url);
    QCOMPARE(edited->backend.apiKey, kKey);
    QCOMPARE(edited->guard.maxRetries, 5);
}

void TestSettingsDialog::keyMaskedUntilRevealed()
{
    const auto dialog = makeDialog();
    dialog->resize(900, 640);
    dialog->show();
    QVERIFY(QTest::qWaitForWindowExposed(dialog.get()));
    QVERIFY(keyringAnswered(dialog.get()));
    QSignalSpy tested(dialog.get(), &SettingsDialog::connectionTested);
    dialog->testConnection();
    QVERIFY(tested.wait(8000));

    const QStringList texts = widgetTexts(dialog.get());
    QVERIFY2(!anyContains(texts, kKey), "the key appears unmasked");
    QVERIFY2(!anyContains(texts, u"SECRET"_s), "a part of the key appears");
    QVERIFY(anyContains(texts, Trace::maskSecret(kKey))); // the masked form is shown
    auto* keyEdit = child<QLineEdit>(dialog.get(), "apiKeyEdit");
    QCOMPARE(keyEdit->echoMode(), QLineEdit::Password);
    QVERIFY(keyEdit->text().isEmpty());

    auto* reveal = dialog->findChild<QAction*>(u"revealKeyAction"_s);
    QVERIFY(reveal);
    reveal->trigger();
    QCOMPARE(keyEdit->echoMode(), QLineEdit::Normal);
    QCOMPARE(keyEdit->text(), kKey);
    reveal->trigger();
    QCOMPARE(keyEdit->echoMode(), QLineEdit::Password);
    QVERIFY(!anyContains(widgetTexts(dialog.get()), kKey)); // hidden again: gone from the field
    // Revealing and hiding is not an edit.
    QCOMPARE(dialog->editedSettings()->backend.apiKey, kKey);
    // The keyboard reveals it too, from the field.
    dialog->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(dialog.get()));
    keyEdit->setFocus();
    QTest::keyClick(keyEdit, Qt::Key_R, Qt::ControlModifier);
    QCOMPARE(keyEdit->echoMode(), QLineEdit::Normal);
    QCOMPARE(keyEdit->text(), kKey);
}

void TestSettingsDialog::testConnectionShowsModelsAndContext()
{
    const auto dialog = makeDialog();
    const QUrl runningUrl = m_demo->proxy()->settings().backend.url;
    const Backend::Info runningInfo = m_demo->proxy()->backendInfo();
    child<QLineEdit>(dialog.get(), "backendUrlEdit")->setText(m_second->url().toString());

    QSignalSpy tested(dialog.get(), &SettingsDialog::connectionTested);
    QTest::mouseClick(child<QPushButton>(dialog.get(), "testConnectionButton"), Qt::LeftButton);
    QVERIFY(tested.wait(8000));

    QVERIFY2(child<QLabel>(dialog.get(), "reachLabel")->text().contains(u"reachable"_s),
        qPrintable(child<QLabel>(dialog.get(), "reachLabel")->text()));
    QCOMPARE(child<QLabel>(dialog.get(), "detectedKindLabel")->text(), u"llama-server"_s);
    QCOMPARE(child<QLabel>(dialog.get(), "modelsLabel")->text(), u"second-model"_s);
    const QString context = child<QLabel>(dialog.get(), "contextLabel")->text();
    QVERIFY2(
        context.contains(QLocale().toString(32768)) && context.contains(u"/props"_s), qPrintable(context));
    QCOMPARE(child<QComboBox>(dialog.get(), "kindCombo")->itemText(0), u"auto (detected: llama-server)"_s);
    QVERIFY(child<QComboBox>(dialog.get(), "modelCombo")->findText(u"second-model"_s) >= 0);

    // The running proxy is as it was: same backend, same discovery, chats still go to the first.
    QCOMPARE(m_demo->proxy()->settings().backend.url, runningUrl);
    QCOMPARE(m_demo->proxy()->backendInfo().url, runningInfo.url);
    QCOMPARE(m_demo->proxy()->backendInfo().models, runningInfo.models);
    const int firstBefore = chatRequests(m_demo->backend());
    QCOMPARE(m_demo->run(u"text"_s, false).outcome, Trace::Outcome::Passthrough);
    QCOMPARE(chatRequests(m_demo->backend()), firstBefore + 1);
    QCOMPARE(chatRequests(m_second.get()), 0);
}

void TestSettingsDialog::testConnectionToClosedPort()
{
    const auto dialog = makeDialog();
    const Config::Settings running = m_demo->proxy()->settings();
    const QString closedUrl = u"http://127.0.0.1:%1"_s.arg(closedPort());
    child<QLineEdit>(dialog.get(), "backendUrlEdit")->setText(closedUrl);
    QSignalSpy tested(dialog.get(), &SettingsDialog::connectionTested);
    dialog->testConnection();
    QVERIFY(tested.wait(8000));
    const QString reach = child<QLabel>(dialog.get(), "reachLabel")->text();
    QVERIFY2(reach.contains(u"not reachable"_s) && reach.contains(u"refused"_s), qPrintable(reach));
    QCOMPARE(child<QLabel>(dialog.get(), "detectedKindLabel")->text(), u"unknown"_s);
    QCOMPARE(child<QComboBox>(dialog.get(), "kindCombo")->itemText(0), u"auto"_s);

    QCOMPARE(m_demo->proxy()->settings().backend.url, running.backend.url);
    QVERIFY(m_demo->proxy()->backendInfo().reachable);
    QVERIFY(m_demo->proxy()->isListening());
    QCOMPARE(m_demo->run(u"hermes"_s, false).outcome, Trace::Outcome::Rescued);
}

void TestSettingsDialog::applyChangesRunningProxy()
{
    QCOMPARE(m_demo->run(u"hermes"_s, false).outcome, Trace::Outcome::Rescued); // guarded, first backend
    const int firstBefore = chatRequests(m_demo->backend());

    const auto dialog = makeDialog();
    child<QLineEdit>(dialog.get(), "backendUrlEdit")->setText(m_second->url().toString());
    child<QCheckBox>(dialog.get(), "guardCheck")->setChecked(false);
    child<QSpinBox>(dialog.get(), "maxRetriesSpin")->setValue(1);
    QSignalSpy applied(dialog.get(), &SettingsDialog::settingsApplied);
    QTest::mouseClick(
        dialog->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Apply), Qt::LeftButton);
    QCOMPARE(applied.count(), 1);

    const Config::Settings& running = m_demo->proxy()->settings();
    QCOMPARE(running.backend.url, m_second->url());
    QVERIFY(!running.guard.enabled);
    QCOMPARE(running.guard.maxRetries, 1);
    QCOMPARE(running.backend.apiKey, kKey); // untouched key stays
    // The next request goes to the second backend, unguarded.
    const Trace::Exchange exchange = m_demo->run(u"hermes"_s, false);
    QCOMPARE(exchange.outcome, Trace::Outcome::Passthrough);
    QCOMPARE(chatRequests(m_second.get()), 1);
    QCOMPARE(chatRequests(m_demo->backend()), firstBefore);
    // The status bar's discovery follows the new backend.
    QTRY_COMPARE_WITH_TIMEOUT(m_demo->proxy()->backendInfo().models, QStringList { u"second-model"_s }, 5000);

    // Saved, without the key.
    QSettings file;
    QCOMPARE(file.value(Config::SettingsKey::BackendUrl).toString(), m_second->url().toString());
    QCOMPARE(file.value(Config::SettingsKey::GuardEnabled).toString(), u"false"_s);
    const QByteArray bytes = settingsBytes();
    QVERIFY2(bytes.contains("backend"), "the settings file was not written where expected");
    QVERIFY(!bytes.contains(kKey.toUtf8()));
    QVERIFY(!bytes.contains("SECRET"));
}

void TestSettingsDialog::applySavesOnlyWhatChanged()
{
    // This run was started with --port 0 and --demo: saving an unrelated edit keeps the saved
    // port and URL (the defaults here), not the run's.
    const auto dialog = makeDialog();
    dialog->setCommandLine(Config::parseCommandLine({ u"temper"_s, u"--port"_s, u"0"_s, u"--demo"_s }, {}));
    auto* note = child<QLabel>(dialog.get(), "commandLineLabel");
    QVERIFY(note->text().contains(u"--port"_s) && note->text().contains(u"--demo"_s));
    child<QCheckBox>(dialog.get(), "repairCheck")->setChecked(false);
    QVERIFY(dialog->apply());
    QVERIFY(!m_demo->proxy()->settings().guard.repair);

    QSettings file;
    const Config::StoredSettings saved = Config::SettingsStore(&file).load();
    QVERIFY(!saved.settings.guard.repair);
    QCOMPARE(saved.settings.port, Config::Settings().port);
    QCOMPARE(saved.settings.backend.url, Config::Settings().backend.url);
}

void TestSettingsDialog::rejectsInvalidInput_data()
{
    QTest::addColumn<QString>("widget");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("mentions");
    QTest::addRow("ftp url") << u"backendUrlEdit"_s << u"ftp://example.org/"_s << u"backend URL"_s;
    QTest::addRow("no host") << u"backendUrlEdit"_s << u"http://"_s << u"backend URL"_s;
    QTest::addRow("empty url") << u"backendUrlEdit"_s << QString() << u"backend URL"_s;
    QTest::addRow("host name") << u"hostEdit"_s << u"my laptop"_s << u"listen host"_s;
    QTest::addRow("variable with a space") << u"keyVariableEdit"_s << u"MY KEY"_s << u"key variable"_s;
}

void TestSettingsDialog::rejectsInvalidInput()
{
    QFETCH(QString, widget);
    QFETCH(QString, text);
    QFETCH(QString, mentions);
    const Config::Settings running = m_demo->proxy()->settings();
    const auto dialog = makeDialog();
    child<QCheckBox>(dialog.get(), "guardCheck")->setChecked(false); // a valid change that must not apply
    dialog->findChild<QLineEdit*>(widget)->setText(text);
    QVERIFY(!dialog->apply());
    auto* problem = child<QLabel>(dialog.get(), "problemLabel");
    QVERIFY2(!problem->isHidden() && problem->text().contains(mentions), qPrintable(problem->text()));
    QVERIFY(m_demo->proxy()->settings().guard.enabled);
    QCOMPARE(m_demo->proxy()->settings().backend.url, running.backend.url);
    QVERIFY(settingsBytes().isEmpty() || !settingsBytes().contains("guard"));
    // Test connection refuses the same fields without probing anything.
    QSignalSpy tested(dialog.get(), &SettingsDialog::connectionTested);
    dialog->testConnection();
    QVERIFY(!tested.wait(300));
}

void TestSettingsDialog::portInUseKeepsOldAddress()
{
    QTcpServer occupant;
    QVERIFY(occupant.listen(QHostAddress::LocalHost, 0));
    const quint16 oldPort = m_demo->proxy()->port();
    const auto dialog = makeDialog();
    child<QSpinBox>(dialog.get(), "portSpin")->setValue(occupant.serverPort());
    QVERIFY(!dialog->apply());
    const QString problem = child<QLabel>(dialog.get(), "problemLabel")->text();
    QVERIFY2(problem.contains(u"cannot listen"_s) && problem.contains(u"previous settings"_s),
        qPrintable(problem));
    QVERIFY(m_demo->proxy()->isListening());
    QCOMPARE(m_demo->proxy()->port(), oldPort);
    QCOMPARE(m_demo->run(u"text"_s, false).outcome, Trace::Outcome::Passthrough);
}

void TestSettingsDialog::cancelChangesNothing()
{
    const Config::Settings running = m_demo->proxy()->settings();
    const auto dialog = makeDialog();
    dialog->show();
    child<QLineEdit>(dialog.get(), "backendUrlEdit")->setText(m_second->url().toString());
    child<QCheckBox>(dialog.get(), "rescueCheck")->setChecked(false);
    child<QLineEdit>(dialog.get(), "apiKeyEdit")->setText(u"sk-typed-then-cancelled-1234"_s);
    QTest::mouseClick(
        dialog->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Cancel), Qt::LeftButton);
    QCOMPARE(dialog->result(), int(QDialog::Rejected));
    QCOMPARE(m_demo->proxy()->settings().backend.url, running.backend.url);
    QVERIFY(m_demo->proxy()->settings().guard.rescue);
    QCOMPARE(m_demo->proxy()->settings().backend.apiKey, kKey);
    QVERIFY(settingsBytes().isEmpty());
}

void TestSettingsDialog::keyringFallback()
{
    // This process has no D-Bus session (main() below), like CI: the keyring answers "no",
    // quickly, and the dialog says where the key is read from instead.
    QElapsedTimer clock;
    clock.start();
    const auto dialog = makeDialog();
    QVERIFY(keyringAnswered(dialog.get(), Config::KeyringStore::kDefaultTimeoutMs + 1000));
    QVERIFY2(clock.elapsed() < Config::KeyringStore::kDefaultTimeoutMs + 1000,
        qPrintable(QString::number(clock.elapsed())));
    // Asked again, with a shorter timeout: the same answer, as a signal.
    dialog->keyring()->setTimeoutMs(1000);
    QSignalSpy checked(dialog.get(), &SettingsDialog::keyringChecked);
    dialog->checkKeyring();
    QTRY_VERIFY_WITH_TIMEOUT(!checked.isEmpty(), 2000);
    const auto reply = checked.last().at(0).value<Config::KeyringReply>();
    QCOMPARE(reply.status, Config::KeyringReply::Status::Unavailable);
    auto* storage = child<QLabel>(dialog.get(), "keyStorageLabel");
    QVERIFY2(storage->text().startsWith(u"No keyring"_s), qPrintable(storage->text()));

    // Name a variable: the dialog says the key comes from there, and applying uses its value.
    child<QLineEdit>(dialog.get(), "apiKeyEdit")->clear();
    dialog->findChild<QToolButton*>(u"forgetKeyButton"_s)->click(); // no key typed: follow the variable
    QVERIFY(dialog->apply());
    QVERIFY(m_demo->proxy()->settings().backend.apiKey.isEmpty());
    child<QLineEdit>(dialog.get(), "keyVariableEdit")->setText(u"TEMPER_TEST_KEY"_s);
    QVERIFY2(storage->text().contains(u"read from $TEMPER_TEST_KEY"_s), qPrintable(storage->text()));
    QVERIFY(dialog->apply());
    QCOMPARE(m_demo->proxy()->settings().backend.apiKey, u"sk-from-the-environment-5150"_s);
    QVERIFY2(child<QLabel>(dialog.get(), "keyInUseLabel")->text().contains(u"from $TEMPER_TEST_KEY"_s),
        qPrintable(child<QLabel>(dialog.get(), "keyInUseLabel")->text()));

    // A key typed without a keyring lasts for the run, and never reaches the settings file.
    const QString typed = u"sk-typed-for-this-run-8080"_s;
    child<QLineEdit>(dialog.get(), "apiKeyEdit")->setText(typed);
    QVERIFY(dialog->apply());
    QCOMPARE(m_demo->proxy()->settings().backend.apiKey, typed);
    QVERIFY(child<QLabel>(dialog.get(), "keyInUseLabel")->text().contains(u"for this run only"_s));
    QVERIFY(!anyContains(widgetTexts(dialog.get()), typed));
    QVERIFY(settingsBytes().contains("TEMPER_TEST_KEY"));
    QVERIFY(!settingsBytes().contains(typed.toUtf8()));
    QVERIFY(!settingsBytes().contains("sk-from-the-environment"));
}

void TestSettingsDialog::screenshot_data()
{
    QTest::addColumn<bool>("dark");
    QTest::addColumn<bool>("reachable");
    QTest::addColumn<QString>("file");
    QTest::addRow("light") << false << true << u"temper-settings-dialog.png"_s;
    QTest::addRow("dark") << true << true << u"temper-settings-dialog-dark.png"_s;
    QTest::addRow("unreachable") << false << false << u"temper-settings-dialog-unreachable.png"_s;
}

void TestSettingsDialog::screenshot()
{
    QFETCH(bool, dark);
    QFETCH(bool, reachable);
    QFETCH(QString, file);
    const QPalette light = QApplication::palette();
    if (dark) {
        QApplication::setPalette(darkPalette());
    }
    const auto restore = qScopeGuard([&] { QApplication::setPalette(light); });
    const auto dialog = makeDialog();
    dialog->setCommandLine(Config::parseCommandLine({ u"temper"_s, u"--demo"_s }, {}));
    dialog->show(); // at the size it picks for itself
    QVERIFY(QTest::qWaitForWindowExposed(dialog.get()));
    QVERIFY(keyringAnswered(dialog.get()));
    if (!reachable)
        child<QLineEdit>(dialog.get(), "backendUrlEdit")
            ->setText(u"http://127.0.0.1:%1/v1"_s.arg(closedPort()));
    QSignalSpy tested(dialog.get(), &SettingsDialog::connectionTested);
    dialog->testConnection();
    QVERIFY(tested.wait(8000));
    if (!reachable) {
        child<QLineEdit>(dialog.get(), "hostEdit")->setText(u"my laptop"_s);
        QVERIFY(!dialog->apply()); // and a problem to show
    }
    const QImage image = dialog->grab().toImage();
    QVERIFY(!image.isNull());
    const QString dir = qEnvironmentVariable("TEMPER_SCREENSHOT_DIR", QDir::tempPath());
    QVERIFY(image.save(QDir(dir).filePath(file)));
    // Nothing is clipped: the dialog is at least as large as its layout asks.
    QVERIFY(dialog->width() >= dialog->minimumSizeHint().width());
    QVERIFY(dialog->height() >= dialog->minimumSizeHint().height());
}

int main(int argc, char** argv)
{
    // No keyring on any machine, so that the test never touches a developer's real one: a
    // session bus that does not exist makes QtKeychain fail at once.
    qputenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/temper-tests-bus");
    QApplication app(argc, argv);
    TestSettingsDialog test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_ui_settingsdialog.moc"
