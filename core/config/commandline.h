#pragma once

#include "settings.h"

#include <QProcessEnvironment>
#include <QStringList>

namespace Config {

// The outcome of reading Temper's command line. Pure: no application object, no I/O.
struct CommandLine
{
    enum class Action { Run, Parse, Help, Version, Error };

    Action action = Action::Run;
    Settings settings;
    bool gui = true;            // false with --no-gui
    QString message;            // the error, or the help text
    QStringList explicitOptions; // long names given on the command line (they override saved settings)

    // "temper parse": model output in, rescued calls out.
    QString parseToolsFile;
    bool parseJsonLines = false;
    QString parseInput;         // file to read; empty: standard input
};

// `arguments` includes the program name, as QCoreApplication::arguments() does.
// TEMPER_API_KEY in `environment` supplies the key when --api-key is not given.
CommandLine parseCommandLine(const QStringList& arguments, const QProcessEnvironment& environment);

// True when argv asks for the headless or command-line-only paths, decided before any
// application object exists (a QApplication without a display aborts).
bool wantsCoreApplication(int argc, char** argv);

} // namespace Config
