#include "backendclient.h"

#include <QIODevice>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

using namespace Qt::StringLiterals;

namespace Backend {

namespace {

constexpr int kConnectionsPerManager = 6; // Qt 6.4's fixed limit per host and port
constexpr int kMaxManagers = 16;
constexpr qint64 kPausedBufferBytes = 1024 * 1024;

// Hop-by-hop and framing headers describe one connection, not the message; the proxy writes
// its own.
bool isHopByHop(QByteArrayView name)
{
    static constexpr QByteArrayView hopByHop[] = { "connection", "keep-alive", "proxy-connection", "transfer-encoding",
                                                   "te", "trailer", "upgrade", "host", "content-length" };
    for (QByteArrayView candidate : hopByHop) {
        if (name.compare(candidate, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

Failure failureFor(QNetworkReply::NetworkError error)
{
    switch (error) {
    case QNetworkReply::ConnectionRefusedError: return Failure::Refused;
    case QNetworkReply::RemoteHostClosedError: return Failure::Reset;
    case QNetworkReply::HostNotFoundError: return Failure::HostNotFound;
    case QNetworkReply::TimeoutError: return Failure::Timeout;
    default: return Failure::Other;
    }
}

} // namespace

// The request body of a call while it is still arriving from the client: a sequential device
// that QNetworkAccessManager reads from as pieces are appended. It is owned by the reply, which
// reads from it until the reply itself is gone.
class BodyPipe : public QIODevice
{
    Q_OBJECT

public:
    BodyPipe() { open(QIODevice::ReadOnly | QIODevice::Unbuffered); }

    void append(const QByteArray& bytes)
    {
        if (m_finished || bytes.isEmpty())
            return;
        m_pending.append(bytes);
        m_overHigh = m_overHigh || backlog() > UpstreamCall::kBodyBacklogHigh;
        emit readyRead();
    }
    void finish()
    {
        if (m_finished)
            return;
        m_finished = true;
        emit readyRead();
        emit readChannelFinished();
    }
    qint64 backlog() const { return m_pending.size() - m_readPos; }

    bool isSequential() const override { return true; }
    qint64 bytesAvailable() const override { return backlog() + QIODevice::bytesAvailable(); }
    bool atEnd() const override { return m_finished && backlog() == 0; }

Q_SIGNALS:
    void drained();

protected:
    qint64 readData(char* data, qint64 maxSize) override
    {
        const qint64 count = std::min(maxSize, backlog());
        if (count == 0)
            return m_finished ? -1 : 0;
        memcpy(data, m_pending.constData() + m_readPos, size_t(count));
        m_readPos += count;
        if (m_readPos == m_pending.size()) {
            m_pending.clear();
            m_readPos = 0;
        } else if (m_readPos > 64 * 1024 && m_readPos * 2 > m_pending.size()) {
            m_pending.remove(0, m_readPos);
            m_readPos = 0;
        }
        if (m_overHigh && backlog() <= UpstreamCall::kBodyBacklogHigh / 2) {
            m_overHigh = false;
            emit drained();
        }
        return count;
    }
    qint64 writeData(const char*, qint64) override { return -1; }

private:
    QByteArray m_pending;
    qint64 m_readPos = 0;
    bool m_overHigh = false; // went over the high mark; drained() follows once it is low again
    bool m_finished = false;
};

QString failureName(Failure failure)
{
    switch (failure) {
    case Failure::None: return u"none"_s;
    case Failure::Refused: return u"connection refused"_s;
    case Failure::Reset: return u"connection closed by the backend"_s;
    case Failure::Timeout: return u"timed out"_s;
    case Failure::HostNotFound: return u"host not found"_s;
    case Failure::Other: return u"network error"_s;
    }
    return QString();
}

// ---- UpstreamCall

UpstreamCall::UpstreamCall(QNetworkReply* reply, BodyPipe* body, int inactivityTimeoutMs, QObject* parent)
    : QObject(parent)
    , m_reply(reply)
    , m_body(body)
    , m_url(reply->url())
{
    if (body)
        connect(body, &BodyPipe::drained, this, &UpstreamCall::bodyDrained);
    m_inactivity.setSingleShot(true);
    m_inactivity.setInterval(inactivityTimeoutMs);
    connect(&m_inactivity, &QTimer::timeout, this, [this] {
        fail(Failure::Timeout, u"the backend sent nothing for %1 s"_s.arg(m_inactivity.interval() / 1000.0));
    });
    connect(reply, &QNetworkReply::metaDataChanged, this, &UpstreamCall::readMetaData);
    connect(reply, &QNetworkReply::readyRead, this, &UpstreamCall::readBody);
    connect(reply, &QNetworkReply::finished, this, &UpstreamCall::replyFinished);
    connect(reply, &QNetworkReply::uploadProgress, &m_inactivity, qOverload<>(&QTimer::start));
    m_inactivity.start();
}

UpstreamCall::~UpstreamCall()
{
    abort();
}

void UpstreamCall::abort()
{
    m_done = true;
    m_inactivity.stop();
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->abort();
        m_reply->deleteLater();
        m_reply = nullptr;
    }
}

void UpstreamCall::writeBody(const QByteArray& bytes)
{
    if (m_body && !m_done)
        m_body->append(bytes);
}

void UpstreamCall::finishBody()
{
    if (m_body && !m_done)
        m_body->finish();
}

qint64 UpstreamCall::bodyBacklog() const
{
    return m_body ? m_body->backlog() : 0;
}

void UpstreamCall::setPaused(bool paused)
{
    m_paused = paused;
    if (!m_reply)
        return;
    m_reply->setReadBufferSize(paused ? kPausedBufferBytes : 0);
    if (!paused)
        readBody();
}

void UpstreamCall::readMetaData()
{
    if (m_done || m_headersEmitted || !m_reply)
        return;
    const QVariant status = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    if (!status.isValid())
        return;
    m_inactivity.start();
    m_status = status.toInt();
    m_headers.clear();
    // QNetworkAccessManager has already decoded a gzip body, so its encoding header no longer
    // describes the bytes we pass on.
    for (const auto& pair : m_reply->rawHeaderPairs()) {
        if (!isHopByHop(pair.first) && pair.first.compare(QByteArrayView("content-encoding"), Qt::CaseInsensitive) != 0)
            m_headers.append({ pair.first, pair.second });
    }
    m_headersEmitted = true;
    emit headersReceived(m_status, m_headers);
}

void UpstreamCall::readBody()
{
    if (m_done || !m_reply)
        return;
    m_inactivity.start();
    readMetaData();
    if (m_paused || !m_headersEmitted)
        return;
    const QByteArray chunk = m_reply->readAll();
    if (!chunk.isEmpty())
        emit dataReceived(chunk);
}

void UpstreamCall::replyFinished()
{
    if (m_done || !m_reply)
        return;
    const QNetworkReply::NetworkError error = m_reply->error();
    // Errors below 200 are transport failures; the others are HTTP statuses with a body that
    // belongs to the client.
    if (error != QNetworkReply::NoError && int(error) < 200) {
        fail(failureFor(error), m_reply->errorString());
        return;
    }
    readMetaData();
    if (!m_headersEmitted) {
        fail(Failure::Other, u"the backend answered without an HTTP status"_s);
        return;
    }
    m_paused = false;
    const QByteArray rest = m_reply->readAll();
    if (!rest.isEmpty())
        emit dataReceived(rest);
    if (m_done)
        return; // a receiver aborted while handling the data
    m_done = true;
    m_inactivity.stop();
    m_reply->deleteLater();
    m_reply = nullptr;
    emit finished();
}

void UpstreamCall::fail(Failure failure, const QString& message)
{
    if (m_done)
        return;
    abort();
    emit failed(failure, message);
}

// ---- Client

Client::Client(QObject* parent)
    : QObject(parent)
{
}

Client::~Client() = default;

int Client::inFlight() const
{
    int total = 0;
    for (const Pooled& pooled : m_pool)
        total += pooled.inFlight;
    return total;
}

QNetworkAccessManager* Client::pickManager()
{
    // The first manager with a free connection keeps connections warm and reused; a new one is
    // made only when all are busy.
    Pooled* best = nullptr;
    for (Pooled& pooled : m_pool) {
        if (pooled.inFlight < kConnectionsPerManager)
            return pooled.manager;
        if (!best || pooled.inFlight < best->inFlight)
            best = &pooled;
    }
    if (m_pool.size() < kMaxManagers || !best) {
        auto* manager = new QNetworkAccessManager(this);
        manager->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
        m_pool.append({ manager, 0 });
        return manager;
    }
    return best->manager;
}

UpstreamCall* Client::send(const UpstreamRequest& request)
{
    QNetworkRequest networkRequest(request.url);
    // A transparent proxy passes redirects to its client instead of following them.
    networkRequest.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    networkRequest.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    networkRequest.setAttribute(QNetworkRequest::CacheSaveControlAttribute, false);
    networkRequest.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    for (const Http::Header& header : request.headers) {
        // Accept-Encoding is left to QNetworkAccessManager so that it decodes the body for us.
        if (!isHopByHop(header.name) && header.name.compare(QByteArrayView("accept-encoding"), Qt::CaseInsensitive) != 0)
            networkRequest.setRawHeader(header.name, header.value);
    }

    QNetworkAccessManager* manager = pickManager();
    QNetworkReply* reply = nullptr;
    BodyPipe* body = nullptr;
    if (request.streamedBody) {
        body = new BodyPipe;
        if (request.streamedBodyLength >= 0) {
            // Without both, Qt reads the whole device before it sends the request.
            networkRequest.setHeader(QNetworkRequest::ContentLengthHeader, request.streamedBodyLength);
            networkRequest.setAttribute(QNetworkRequest::DoNotBufferUploadDataAttribute, true);
        }
        reply = manager->sendCustomRequest(networkRequest, request.method, body);
        body->setParent(reply);
    } else if (request.body.isEmpty() && request.method != "POST" && request.method != "PUT" && request.method != "PATCH") {
        reply = manager->sendCustomRequest(networkRequest, request.method);
    } else {
        reply = manager->sendCustomRequest(networkRequest, request.method, request.body);
    }
    auto* call = new UpstreamCall(reply, body, request.inactivityTimeoutMs, this);
    for (Pooled& pooled : m_pool) {
        if (pooled.manager == manager) {
            ++pooled.inFlight;
            break;
        }
    }
    // The pool counts calls until their reply is gone, however the call ends.
    connect(reply, &QObject::destroyed, this, [this, manager] {
        for (Pooled& pooled : m_pool) {
            if (pooled.manager == manager) {
                --pooled.inFlight;
                break;
            }
        }
    });
    return call;
}

} // namespace Backend

#include "backendclient.moc"
