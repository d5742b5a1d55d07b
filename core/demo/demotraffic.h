#pragma once

#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QUrl>

class QNetworkAccessManager;

namespace Demo {

// A short scripted set of client requests sent through Temper's own front door at start, so a
// new user sees real exchanges at once: plain and streamed text, a native tool call, calls left
// in text in several formats, an integer sent as 10.0, an unknown tool fixed by a retry, a
// stubborn model the guard gives up on, a llama.cpp parser error whose generation is rescued,
// and a pass-through of /v1/models.
class Traffic : public QObject
{
    Q_OBJECT

public:
    Traffic(const QUrl& temperUrl, QObject* parent = nullptr);
    void start(int spacingMs = 350);
    static QJsonObject exampleRequest(const QString& scenario, bool stream);
    static QJsonArray exampleTools();

Q_SIGNALS:
    void finished();

private:
    void sendNext();

    QUrl m_url;
    QNetworkAccessManager* m_network;
    QList<std::pair<QString, bool>> m_script; // scenario ("models" for GET /v1/models), stream
    int m_next = 0;
    int m_pending = 0;
    int m_spacingMs = 350;
};

} // namespace Demo
