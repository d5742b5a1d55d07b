#include "commandline.h"

#include <QCommandLineParser>

using namespace Qt::StringLiterals;

namespace Config {

namespace {

bool parseInt(const QString& text, qint64 minimum, qint64 maximum, qint64* out)
{
    bool ok = false;
    const qint64 value = text.toLongLong(&ok);
    if (!ok || value < minimum || value > maximum)
        return false;
    *out = value;
    return true;
}

QString helpText()
{
    return uR"(Temper: an inspection proxy that repairs LLM tool calls.

Usage:
  temper [options]                       run the proxy (window, or headless with --no-gui)
  temper parse [--tools FILE] [--jsonl] [FILE]
                                         rescue tool calls from model output and print JSON

Proxy:
  --host HOST              listen address (default 127.0.0.1)
  --port N                 listen port (default 8090; 0 picks a free port)
  --no-gui                 run headless: one line per exchange on stdout
  --trace-file FILE        append one JSON line per finished exchange
  --max-body-bytes N       largest request body accepted (default 33554432)

Backend:
  --backend-url URL        where to forward (default http://127.0.0.1:8080)
  --backend-kind KIND      auto | llama-server | llamafile | ollama | vllm | openai (default auto)
  --api-key KEY            sent as "Authorization: Bearer KEY" (or set TEMPER_API_KEY)
  --model NAME             model to request, overriding or filling the client's
  --context-length N       context length to show when the backend does not say
  --backend-timeout SEC    give up when the backend sends nothing for this long (default 300)

Guard (requests that declare tools):
  --max-retries N          corrective retries before giving up (default 3)
  --on-exhausted WHAT      last-attempt (default) or error: what the client gets then
  --no-rescue              do not recover tool calls written as text
  --no-repair              report repairable arguments instead of repairing them
  --no-guard               forward tool requests untouched

Demo:
  --demo                   start the embedded demo model and use it as the backend
  --demo-traffic=on|off    with --demo, send a few example requests at start (default on)

  -h, --help               this text
  --version                the version
)"_s;
}

} // namespace

bool wantsCoreApplication(int argc, char** argv)
{
    for (int i = 1; i < argc; ++i) {
        const QByteArrayView arg(argv[i]);
        if (arg == "--no-gui" || arg == "--help" || arg == "-h" || arg == "--version" || (i == 1 && arg == "parse"))
            return true;
    }
    return false;
}

CommandLine parseCommandLine(const QStringList& arguments, const QProcessEnvironment& environment)
{
    CommandLine result;
    QStringList args = arguments;
    const bool parseCommand = args.size() > 1 && args.at(1) == u"parse"_s;
    if (parseCommand)
        args.removeAt(1);

    QCommandLineParser parser;
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    const QCommandLineOption help(QStringList { u"h"_s, u"help"_s });
    const QCommandLineOption version(u"version"_s);
    const QCommandLineOption host(u"host"_s, QString(), u"HOST"_s);
    const QCommandLineOption port(u"port"_s, QString(), u"N"_s);
    const QCommandLineOption noGui(u"no-gui"_s);
    const QCommandLineOption traceFile(u"trace-file"_s, QString(), u"FILE"_s);
    const QCommandLineOption maxBody(u"max-body-bytes"_s, QString(), u"N"_s);
    const QCommandLineOption backendUrl(u"backend-url"_s, QString(), u"URL"_s);
    const QCommandLineOption backendKind(u"backend-kind"_s, QString(), u"KIND"_s);
    const QCommandLineOption apiKey(u"api-key"_s, QString(), u"KEY"_s);
    const QCommandLineOption model(u"model"_s, QString(), u"NAME"_s);
    const QCommandLineOption contextLength(u"context-length"_s, QString(), u"N"_s);
    const QCommandLineOption backendTimeout(u"backend-timeout"_s, QString(), u"SEC"_s);
    const QCommandLineOption maxRetries(u"max-retries"_s, QString(), u"N"_s);
    const QCommandLineOption onExhausted(u"on-exhausted"_s, QString(), u"WHAT"_s);
    const QCommandLineOption noRescue(u"no-rescue"_s);
    const QCommandLineOption noRepair(u"no-repair"_s);
    const QCommandLineOption noGuard(u"no-guard"_s);
    const QCommandLineOption demo(u"demo"_s);
    const QCommandLineOption demoTraffic(u"demo-traffic"_s, QString(), u"on|off"_s);
    const QCommandLineOption tools(u"tools"_s, QString(), u"FILE"_s);
    const QCommandLineOption jsonl(u"jsonl"_s);
    for (const QCommandLineOption* option :
         { &help, &version, &host, &port, &noGui, &traceFile, &maxBody, &backendUrl, &backendKind, &apiKey, &model,
           &contextLength, &backendTimeout, &maxRetries, &onExhausted, &noRescue, &noRepair, &noGuard, &demo,
           &demoTraffic, &tools, &jsonl }) {
        parser.addOption(*option);
    }

    auto fail = [&result](const QString& message) {
        result.action = CommandLine::Action::Error;
        result.message = message;
        return result;
    };
    if (!parser.parse(args))
        return fail(parser.errorText() + u"\nRun 'temper --help' for the options."_s);
    for (const QString& name : parser.optionNames())
        result.explicitOptions.append(name);
    if (parser.isSet(help)) {
        result.action = CommandLine::Action::Help;
        result.message = helpText();
        return result;
    }
    if (parser.isSet(version)) {
        result.action = CommandLine::Action::Version;
        result.message = u"temper "_s + QStringLiteral(TEMPER_VERSION);
        return result;
    }

    Settings& s = result.settings;
    if (parseCommand) {
        result.action = CommandLine::Action::Parse;
        result.parseToolsFile = parser.value(tools);
        result.parseJsonLines = parser.isSet(jsonl);
        const QStringList positional = parser.positionalArguments();
        if (positional.size() > 1)
            return fail(u"temper parse takes at most one input file"_s);
        result.parseInput = positional.value(0);
        if (!result.parseJsonLines && result.parseToolsFile.isEmpty())
            return fail(u"temper parse needs --tools FILE (a JSON tools array), or --jsonl input"_s);
        return result;
    }
    if (!parser.positionalArguments().isEmpty())
        return fail(u"unexpected argument '%1'"_s.arg(parser.positionalArguments().first()));
    if (parser.isSet(tools) || parser.isSet(jsonl))
        return fail(u"--tools and --jsonl belong to 'temper parse'"_s);

    result.gui = !parser.isSet(noGui);
    qint64 number = 0;
    if (parser.isSet(host))
        s.host = parser.value(host);
    if (parser.isSet(port)) {
        if (!parseInt(parser.value(port), 0, 65535, &number))
            return fail(u"--port needs a number from 0 to 65535"_s);
        s.port = quint16(number);
    }
    if (parser.isSet(traceFile))
        s.traceFile = parser.value(traceFile);
    if (parser.isSet(maxBody)) {
        if (!parseInt(parser.value(maxBody), 1024, qint64(4) * 1024 * 1024 * 1024, &number))
            return fail(u"--max-body-bytes needs a number of bytes, at least 1024"_s);
        s.maxBodyBytes = number;
    }
    if (parser.isSet(backendUrl)) {
        const QUrl url = QUrl::fromUserInput(parser.value(backendUrl));
        if (!url.isValid() || (url.scheme() != u"http"_s && url.scheme() != u"https"_s) || url.host().isEmpty())
            return fail(u"--backend-url needs an http:// or https:// URL"_s);
        s.backend.url = url;
    }
    if (parser.isSet(backendKind) && !Backend::kindFromName(parser.value(backendKind), &s.backend.kind))
        return fail(u"--backend-kind must be auto, llama-server, llamafile, ollama, vllm or openai"_s);
    s.backend.apiKey = parser.isSet(apiKey) ? parser.value(apiKey) : environment.value(u"TEMPER_API_KEY"_s);
    if (parser.isSet(model))
        s.backend.model = parser.value(model);
    if (parser.isSet(contextLength)) {
        if (!parseInt(parser.value(contextLength), 1, qint64(1) << 40, &number))
            return fail(u"--context-length needs a positive number of tokens"_s);
        s.backend.contextLength = number;
    }
    if (parser.isSet(backendTimeout)) {
        if (!parseInt(parser.value(backendTimeout), 1, 24 * 3600, &number))
            return fail(u"--backend-timeout needs a number of seconds from 1 to 86400"_s);
        s.backend.timeoutMs = int(number * 1000);
    }
    if (parser.isSet(maxRetries)) {
        if (!parseInt(parser.value(maxRetries), 0, 20, &number))
            return fail(u"--max-retries needs a number from 0 to 20"_s);
        s.guard.maxRetries = int(number);
    }
    if (parser.isSet(onExhausted)) {
        const QString value = parser.value(onExhausted);
        if (value == u"last-attempt"_s)
            s.guard.onExhausted = OnExhausted::LastAttempt;
        else if (value == u"error"_s)
            s.guard.onExhausted = OnExhausted::Error;
        else
            return fail(u"--on-exhausted must be last-attempt or error"_s);
    }
    s.guard.rescue = !parser.isSet(noRescue);
    s.guard.repair = !parser.isSet(noRepair);
    s.guard.enabled = !parser.isSet(noGuard);
    s.demo = parser.isSet(demo);
    if (parser.isSet(demoTraffic)) {
        const QString value = parser.value(demoTraffic);
        if (value != u"on"_s && value != u"off"_s)
            return fail(u"--demo-traffic must be on or off"_s);
        s.demoTraffic = value == u"on"_s;
    }
    return result;
}

} // namespace Config
