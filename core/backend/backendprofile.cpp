#include "backendprofile.h"

#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace Backend {

namespace {

struct KindName
{
    Kind kind;
    QLatin1StringView name;
};

constexpr KindName kKindNames[] = {
    { Kind::Auto, "auto"_L1 },     { Kind::LlamaServer, "llama-server"_L1 }, { Kind::Llamafile, "llamafile"_L1 },
    { Kind::Ollama, "ollama"_L1 }, { Kind::Vllm, "vllm"_L1 },                { Kind::OpenAi, "openai"_L1 },
};

// The path of the configured URL without a trailing slash, and where its version segment
// ("v1", "v1beta", "v4") starts, if it has one.
struct SplitPath
{
    QString path;
    qsizetype versionAt = -1;
};

SplitPath splitPath(const QUrl& url)
{
    SplitPath split;
    split.path = url.path(QUrl::FullyEncoded);
    while (split.path.endsWith(u'/'))
        split.path.chop(1);
    static const QRegularExpression version(u"/v\\d+[a-z0-9]*(?=/|$)"_s);
    QRegularExpressionMatchIterator it = version.globalMatch(split.path);
    while (it.hasNext())
        split.versionAt = it.next().capturedStart();
    return split;
}

QUrl withPath(const QUrl& base, const QString& encodedPath, QByteArrayView query = {})
{
    QByteArray encoded = base.toEncoded(QUrl::RemovePath | QUrl::RemoveQuery | QUrl::RemoveFragment | QUrl::StripTrailingSlash);
    encoded += encodedPath.toUtf8();
    if (!query.isEmpty())
        encoded += '?' + query.toByteArray();
    return QUrl::fromEncoded(encoded, QUrl::TolerantMode);
}

} // namespace

QString kindName(Kind kind)
{
    for (const KindName& entry : kKindNames) {
        if (entry.kind == kind)
            return entry.name;
    }
    return u"auto"_s;
}

bool kindFromName(const QString& name, Kind* kind)
{
    for (const KindName& entry : kKindNames) {
        if (entry.name == name.trimmed().toLower()) {
            *kind = entry.kind;
            return true;
        }
    }
    return false;
}

QUrl Profile::apiBase() const
{
    const SplitPath split = splitPath(url);
    return withPath(url, split.versionAt >= 0 ? split.path : split.path + u"/v1"_s);
}

QUrl Profile::serverRoot() const
{
    const SplitPath split = splitPath(url);
    return withPath(url, split.versionAt >= 0 ? split.path.left(split.versionAt) : split.path);
}

QUrl Profile::upstreamUrl(QByteArrayView path, QByteArrayView query) const
{
    const SplitPath split = splitPath(url);
    const QString root = split.versionAt >= 0 ? split.path.left(split.versionAt) : split.path;
    const QString api = split.versionAt >= 0 ? split.path : split.path + u"/v1"_s;
    const QString clientPath = QString::fromUtf8(path);
    if (clientPath == u"/v1"_s || clientPath.startsWith(u"/v1/"_s))
        return withPath(url, api + clientPath.mid(3), query);
    // llama-server serves the chat route without /v1 too; hosted APIs only under their base.
    if (clientPath == u"/chat/completions"_s)
        return withPath(url, api + clientPath, query);
    return withPath(url, root + clientPath, query);
}

} // namespace Backend
