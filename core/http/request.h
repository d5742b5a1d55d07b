#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

namespace Http {

struct Header
{
    QByteArray name; // as the peer spelled it
    QByteArray value;
};

using Headers = QList<Header>;

// First value of a header, compared case-insensitively; empty when absent.
QByteArray headerValue(const Headers& headers, QByteArrayView name);
bool hasHeader(const Headers& headers, QByteArrayView name);
// Replaces every header of that name with one value (appends when absent).
void setHeader(Headers& headers, const QByteArray& name, const QByteArray& value);
void removeHeader(Headers& headers, QByteArrayView name);

// One parsed HTTP/1.x request.
struct Request
{
    QByteArray method;
    QByteArray target;     // as sent: path and query
    QByteArray path;       // target without the query
    QByteArray query;      // after '?', without it; empty when absent
    int minorVersion = 1;  // HTTP/1.<minorVersion>
    Headers headers;       // in the order sent
    QByteArray body;       // chunked framing already removed

    QByteArray header(QByteArrayView name) const { return headerValue(headers, name); }
    // HTTP/1.1 keeps the connection unless "Connection: close"; HTTP/1.0 only with "keep-alive".
    bool keepAlive() const;
};

// The reason phrase of a status code ("Not Found").
QByteArray reasonPhrase(int status);

} // namespace Http
