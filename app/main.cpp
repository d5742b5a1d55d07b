// Temper's entry point. Whether a window is wanted is decided from argv before any application
// object exists: a QApplication without a display aborts, a QCoreApplication never touches one.
#include "config/commandline.h"
#include "config/secretstore.h"
#include "config/settingsstore.h"
#include "demo/demobackend.h"
#include "demo/demotraffic.h"
#include "mainwindow.h"
#include "parsecommand.h"
#include "proxy/proxyservice.h"
#include "trace/tracestore.h"
#include "trace/tracewriters.h"

#include <QApplication>
#include <QSettings>
#include <QSocketNotifier>
#include <QTextStream>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace {

bool hasDisplay()
{
    return qEnvironmentVariableIsSet("DISPLAY") || qEnvironmentVariableIsSet("WAYLAND_DISPLAY")
        || qEnvironmentVariableIsSet("QT_QPA_PLATFORM");
}

// SIGINT and SIGTERM end the event loop cleanly (the trace file is flushed per line anyway).
// A signal handler may only write to a pipe; the notifier quits on the main thread.
int g_signalPipe[2] = { -1, -1 };

void onSignal(int)
{
    const char byte = 1;
    [[maybe_unused]] const auto written = ::write(g_signalPipe[1], &byte, 1);
}

void quitOnSignals(QCoreApplication* app)
{
    if (::pipe(g_signalPipe) != 0)
        return;
    auto* notifier = new QSocketNotifier(g_signalPipe[0], QSocketNotifier::Read, app);
    QObject::connect(notifier, &QSocketNotifier::activated, app, [app] {
        char byte;
        [[maybe_unused]] const auto got = ::read(g_signalPipe[0], &byte, 1);
        app->quit();
    });
    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);
}

} // namespace

int main(int argc, char** argv)
{
    const bool coreOnly = Config::wantsCoreApplication(argc, argv) || !hasDisplay();
    std::unique_ptr<QCoreApplication> app(coreOnly ? new QCoreApplication(argc, argv) : new QApplication(argc, argv));
    QCoreApplication::setApplicationName(u"Temper"_s);
    QCoreApplication::setOrganizationName(u"Temper"_s);
    QCoreApplication::setApplicationVersion(QStringLiteral(TEMPER_VERSION));
    if (!coreOnly)
        QGuiApplication::setDesktopFileName(u"io.github.temper.Temper"_s); // matches the .desktop file

    QTextStream out(stdout);
    QTextStream err(stderr);
    const Config::CommandLine commandLine = Config::parseCommandLine(app->arguments(), QProcessEnvironment::systemEnvironment());
    switch (commandLine.action) {
    case Config::CommandLine::Action::Help:
    case Config::CommandLine::Action::Version:
        out << commandLine.message << Qt::endl;
        return 0;
    case Config::CommandLine::Action::Error:
        err << "temper: " << commandLine.message << Qt::endl;
        return 2;
    case Config::CommandLine::Action::Parse:
        return runParseCommand(commandLine);
    case Config::CommandLine::Action::Run:
        break;
    }

    const bool gui = commandLine.gui && !coreOnly;
    if (commandLine.gui && !gui)
        err << "temper: no display found; running headless (use --no-gui to say so)" << Qt::endl;

    // A keyring job stuck on a silent D-Bus session keeps Qt's D-Bus thread busy, and Qt's exit
    // handlers wait for that thread forever: such a process ends without them. Traces are
    // flushed line by line, so nothing is lost.
    const auto finish = [&out, &err](int status) {
        if (Config::KeyringStore::hasUnfinishedJobs()) {
            out.flush();
            err.flush();
            std::fflush(nullptr);
            std::_Exit(status);
        }
        return status;
    };

    // Only the window reads saved settings: a headless run (scripts, servers, CI) gets exactly
    // its command line and $TEMPER_API_KEY. In the window every option given wins for the run.
    Config::Settings settings = commandLine.settings;
    bool savedAddress = false;
    if (gui) {
        QSettings file;
        const Config::SettingsStore store(&file);
        const Config::StoredSettings saved = store.load();
        settings = Config::mergeCommandLine(saved.settings, commandLine);
        savedAddress = store.hasSettings() && !commandLine.explicitOptions.contains(u"host"_s)
            && !commandLine.explicitOptions.contains(u"port"_s);
        if (settings.backend.apiKey.isEmpty()) {
            // Bounded: without a keyring this answers at once or after KeyringStore's timeout.
            Config::KeyringStore keyring;
            settings.backend.apiKey = Config::resolveApiKey(commandLine, keyring.readNow(), saved.apiKeyVariable,
                                                            QProcessEnvironment::systemEnvironment())
                                          .key;
        }
    }
    std::unique_ptr<Demo::Backend> demo;
    if (settings.demo) {
        demo = std::make_unique<Demo::Backend>();
        if (!demo->start()) {
            err << "temper: the demo model could not start on 127.0.0.1" << Qt::endl;
            return finish(1);
        }
        settings.backend.url = demo->url();
    }

    Proxy::ProxyService proxy(settings);
    QString error;
    if (!proxy.start(&error)) {
        err << "temper: " << error << Qt::endl;
        if (savedAddress)
            err << "temper: the address is a saved setting; --host and --port override it" << Qt::endl;
        return finish(1);
    }
    // The first line says where to point clients; scripts (and the tests) read the port here.
    out << "Temper " << QCoreApplication::applicationVersion() << " listening on " << proxy.listenUrl().toString()
        << ", forwarding to " << settings.backend.url.toString(QUrl::RemovePassword) << (settings.demo ? " (demo model)" : "") << Qt::endl;

    std::unique_ptr<Trace::TraceFileWriter> traceFile;
    if (!settings.traceFile.isEmpty()) {
        traceFile = std::make_unique<Trace::TraceFileWriter>(proxy.store());
        if (!traceFile->open(settings.traceFile, &error)) {
            err << "temper: " << error << Qt::endl;
            return finish(1);
        }
    }
    std::unique_ptr<Trace::SummaryPrinter> printer;
    if (!gui)
        printer = std::make_unique<Trace::SummaryPrinter>(proxy.store(), stdout);

    std::unique_ptr<Demo::Traffic> traffic;
    if (settings.demo && settings.demoTraffic) {
        traffic = std::make_unique<Demo::Traffic>(proxy.listenUrl());
        traffic->start();
    }

    std::unique_ptr<MainWindow> window;
    if (gui) {
        window = std::make_unique<MainWindow>(&proxy);
        window->show();
    }
    quitOnSignals(app.get());
    const int status = app->exec();
    window.reset(); // widgets go before the application object
    return finish(status);
}
