#pragma once

// A backend for tests that answers each path from a script: a status, a content type and a
// body, sent whole, in pieces with a gap between them, or never (a backend that hangs). For
// servers the demo model does not imitate (Ollama, vLLM, a slow download) and for timing.

#include "http/server.h"

#include <QHash>
#include <QPointer>
#include <QTimer>
#include <QUrl>

struct ScriptedReply
{
    int status = 200;
    QByteArray contentType = "application/json";
    QList<QByteArray> pieces; // the body; more than one with gapMs > 0 is streamed
    int gapMs = 0;
    bool hang = false;        // accept the request and never answer

    static ScriptedReply json(const QByteArray& body, int status = 200) { return { status, "application/json", { body }, 0, false }; }
    static ScriptedReply html(const QByteArray& body) { return { 200, "text/html", { body }, 0, false }; }
    static ScriptedReply hanging() { return { 200, {}, {}, 0, true }; }
};

using Script = QHash<QByteArray, ScriptedReply>; // by path, without the query

class ScriptedBackend : public QObject, private Http::RequestHandler
{
public:
    explicit ScriptedBackend(Script script = {}, QObject* parent = nullptr)
        : QObject(parent)
        , m_script(std::move(script))
        , m_server(this)
    {
    }

    bool start() { return m_server.listen(QHostAddress::LocalHost); }
    QUrl url() const { return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_server.serverPort())); }
    Script& script() { return m_script; }
    const QList<Http::Request>& received() const { return m_received; }

private:
    void handleRequest(Http::ResponseWriter* writer) override
    {
        m_received.append(writer->request());
        const auto found = m_script.constFind(writer->request().path);
        if (found == m_script.constEnd()) {
            writer->respond(404, { { "Content-Type", "text/plain" } }, "404 page not found");
            return;
        }
        const ScriptedReply reply = *found;
        if (reply.hang)
            return; // the writer stays with its connection until the client gives up
        const Http::Headers headers { { "Content-Type", reply.contentType } };
        if (reply.gapMs <= 0) {
            writer->respond(reply.status, headers, reply.pieces.join());
            return;
        }
        writer->beginStream(reply.status, headers);
        QPointer<Http::ResponseWriter> target(writer);
        auto* timer = new QTimer(this);
        timer->setInterval(reply.gapMs);
        auto next = std::make_shared<qsizetype>(0);
        connect(timer, &QTimer::timeout, this, [target, timer, next, pieces = reply.pieces] {
            if (!target || !target->isActive()) {
                timer->deleteLater();
                return;
            }
            target->write(pieces.at((*next)++));
            if (*next == pieces.size()) {
                target->endStream();
                timer->deleteLater();
            }
        });
        timer->start();
    }

    Script m_script;
    Http::Server m_server;
    QList<Http::Request> m_received;
};
