#include "request.h"

namespace Http {

namespace {

bool connectionHas(const Headers& headers, QByteArrayView token)
{
    for (const Header& header : headers) {
        if (header.name.compare(QByteArrayView("connection"), Qt::CaseInsensitive) != 0)
            continue;
        for (const QByteArray& part : header.value.split(',')) {
            if (part.trimmed().compare(token, Qt::CaseInsensitive) == 0)
                return true;
        }
    }
    return false;
}

} // namespace

QByteArray headerValue(const Headers& headers, QByteArrayView name)
{
    for (const Header& header : headers) {
        if (header.name.compare(name, Qt::CaseInsensitive) == 0)
            return header.value;
    }
    return QByteArray();
}

bool hasHeader(const Headers& headers, QByteArrayView name)
{
    for (const Header& header : headers) {
        if (header.name.compare(name, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

void removeHeader(Headers& headers, QByteArrayView name)
{
    headers.removeIf([name](const Header& header) { return header.name.compare(name, Qt::CaseInsensitive) == 0; });
}

void setHeader(Headers& headers, const QByteArray& name, const QByteArray& value)
{
    removeHeader(headers, name);
    headers.append({ name, value });
}

bool Request::keepAlive() const
{
    if (minorVersion == 0)
        return connectionHas(headers, "keep-alive");
    return !connectionHas(headers, "close");
}

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 417: return "Expectation Failed";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return status >= 500 ? "Server Error" : status >= 400 ? "Client Error" : "Status";
    }
}

} // namespace Http
