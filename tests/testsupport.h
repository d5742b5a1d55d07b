#pragma once

// Helpers for end-to-end tests on 127.0.0.1. Everything runs on the test's event loop, so the
// proxy and the demo backend (in the same process) keep serving while a test waits with
// QTRY_* or QSignalSpy::wait.

#include "http/request.h"

#include <QElapsedTimer>
#include <QList>
#include <QTcpSocket>

// A raw HTTP client that records every arrival with its time: for asserting that events reach
// the client as they are produced, not in one burst at the end.
class RawClient : public QObject
{
public:
    struct Arrival
    {
        qint64 atMs;
        QByteArray bytes;
    };

    explicit RawClient(quint16 port, QObject* parent = nullptr)
        : QObject(parent)
    {
        m_clock.start();
        connect(&m_socket, &QTcpSocket::readyRead, this, [this] {
            const QByteArray bytes = m_socket.readAll();
            m_data += bytes;
            m_arrivals.append({ m_clock.elapsed(), bytes });
        });
        connect(&m_socket, &QTcpSocket::disconnected, this, [this] { m_closed = true; });
        connect(&m_socket, &QTcpSocket::connected, this, [this] {
            m_socket.write(m_pending);
            m_pending.clear();
        });
        m_socket.connectToHost(QHostAddress::LocalHost, port);
    }

    bool waitConnected(int ms = 5000) { return m_socket.waitForConnected(ms); }
    // Bytes sent before the connection is up wait for it.
    void send(const QByteArray& bytes)
    {
        if (m_socket.state() != QAbstractSocket::ConnectedState) {
            m_pending += bytes;
            return;
        }
        m_socket.write(bytes);
    }
    void close() { m_socket.abort(); }
    const QByteArray& data() const { return m_data; }
    const QList<Arrival>& arrivals() const { return m_arrivals; }
    bool closed() const { return m_closed; }
    qint64 elapsedMs() const { return m_clock.elapsed(); }
    void clear()
    {
        m_data.clear();
        m_arrivals.clear();
    }

private:
    QTcpSocket m_socket;
    QElapsedTimer m_clock;
    QByteArray m_pending;
    QByteArray m_data;
    QList<Arrival> m_arrivals;
    bool m_closed = false;
};

// One HTTP/1.1 response read out of raw bytes, chunked framing removed.
struct RawResponse
{
    bool complete = false;
    int status = 0;
    Http::Headers headers;
    Http::Headers trailers;
    QByteArray body;
    qsizetype size = 0; // bytes the response took in the input

    QByteArray header(QByteArrayView name) const { return Http::headerValue(headers, name); }

    // Reads the response that starts at `from`; `complete` stays false while bytes are missing.
    static RawResponse parse(const QByteArray& data, qsizetype from = 0)
    {
        RawResponse response;
        const qsizetype headEnd = data.indexOf("\r\n\r\n", from);
        if (headEnd < 0)
            return response;
        const QList<QByteArray> lines = data.mid(from, headEnd - from).split('\n');
        const QList<QByteArray> statusLine = lines.value(0).trimmed().split(' ');
        response.status = statusLine.value(1).toInt();
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QByteArray line = lines.at(i).trimmed();
            const qsizetype colon = line.indexOf(':');
            if (colon > 0)
                response.headers.append({ line.left(colon), line.mid(colon + 1).trimmed() });
        }
        qsizetype pos = headEnd + 4;
        if (response.header("Transfer-Encoding") == "chunked") {
            while (true) {
                const qsizetype lineEnd = data.indexOf("\r\n", pos);
                if (lineEnd < 0)
                    return response;
                bool ok = false;
                const qsizetype size = data.mid(pos, lineEnd - pos).toLongLong(&ok, 16);
                if (ok && size == 0) {
                    // The last chunk, then trailer fields (if any) and an empty line.
                    const qsizetype end = data.indexOf("\r\n\r\n", lineEnd);
                    if (end < 0)
                        return response;
                    for (const QByteArray& line : data.mid(lineEnd + 2, end - lineEnd - 2).split('\n')) {
                        const qsizetype colon = line.indexOf(':');
                        if (colon > 0)
                            response.trailers.append({ line.left(colon).trimmed(), line.mid(colon + 1).trimmed() });
                    }
                    pos = end + 4;
                    break;
                }
                if (!ok || data.size() < lineEnd + 2 + size + 2)
                    return response;
                response.body += data.mid(lineEnd + 2, size);
                pos = lineEnd + 2 + size + 2;
                if (size == 0)
                    break;
            }
        } else if (response.headers.isEmpty() || !response.header("Content-Length").isEmpty()) {
            const qsizetype length = response.header("Content-Length").toLongLong();
            if (data.size() < pos + length)
                return response;
            response.body = data.mid(pos, length);
            pos += length;
        } else {
            response.body = data.mid(pos); // close-delimited
            pos = data.size();
        }
        response.complete = true;
        response.size = pos - from;
        return response;
    }
};

inline QByteArray chatRequest(const QByteArray& body, const QByteArray& extraHeaders = {},
                              const QByteArray& path = "/v1/chat/completions")
{
    return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
        + QByteArray::number(body.size()) + "\r\n" + extraHeaders + "\r\n" + body;
}
