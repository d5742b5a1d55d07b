#include "parsecommand.h"

#include "guard/parsereport.h"

#include <QFile>
#include <QJsonDocument>
#include <QTextStream>

using namespace Qt::StringLiterals;

namespace {

bool readAll(const QString& path, QByteArray* out, QString* error)
{
    QFile file;
    const bool ok = path.isEmpty() || path == u"-"_s ? file.open(stdin, QIODevice::ReadOnly) : (file.setFileName(path), file.open(QIODevice::ReadOnly));
    if (!ok) {
        *error = u"cannot read %1: %2"_s.arg(path.isEmpty() ? u"standard input"_s : path, file.errorString());
        return false;
    }
    *out = file.readAll();
    return true;
}

// A tools file holds an array of tools or a request-shaped object with a "tools" array.
bool toolsFrom(const QByteArray& json, QJsonArray* tools, QString* error)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        *error = u"the tools file is not JSON: %1"_s.arg(parseError.errorString());
        return false;
    }
    if (document.isArray()) {
        *tools = document.array();
        return true;
    }
    if (document.object().value("tools"_L1).isArray()) {
        *tools = document.object().value("tools"_L1).toArray();
        return true;
    }
    *error = u"the tools file must hold a JSON array of tools (or an object with \"tools\")"_s;
    return false;
}

} // namespace

int runParseCommand(const Config::CommandLine& commandLine)
{
    QTextStream out(stdout);
    QTextStream err(stderr);
    QString error;
    QByteArray input;
    if (!readAll(commandLine.parseInput, &input, &error)) {
        err << "temper parse: " << error << Qt::endl;
        return 2;
    }

    if (!commandLine.parseJsonLines) {
        QByteArray toolsJson;
        QJsonArray tools;
        if (!readAll(commandLine.parseToolsFile, &toolsJson, &error) || !toolsFrom(toolsJson, &tools, &error)) {
            err << "temper parse: " << error << Qt::endl;
            return 2;
        }
        const QJsonObject report = Guard::parseReport(QString::fromUtf8(input), tools);
        out << QJsonDocument(report).toJson(QJsonDocument::Compact) << Qt::endl;
        return 0;
    }

    int lineNumber = 0;
    int failures = 0;
    for (const QByteArray& rawLine : input.split('\n')) {
        ++lineNumber;
        const QByteArray line = rawLine.trimmed();
        if (line.isEmpty())
            continue;
        QJsonParseError parseError;
        const QJsonDocument document = QJsonDocument::fromJson(line, &parseError);
        if (parseError.error != QJsonParseError::NoError || !document.isObject()
            || !document.object().value("content"_L1).isString()) {
            // Keep one output line per input line, so outputs can be matched to inputs.
            out << QJsonDocument(QJsonObject { { u"error"_s, u"line %1 is not a {\"tools\":[...],\"content\":\"...\"} object"_s.arg(lineNumber) } })
                       .toJson(QJsonDocument::Compact)
                << Qt::endl;
            ++failures;
            continue;
        }
        const QJsonObject object = document.object();
        QJsonObject report = Guard::parseReport(object.value("content"_L1).toString(), object.value("tools"_L1).toArray());
        if (object.contains("id"_L1))
            report.insert(u"id"_s, object.value("id"_L1));
        out << QJsonDocument(report).toJson(QJsonDocument::Compact) << Qt::endl;
    }
    return failures == 0 ? 0 : 1;
}
