#include "demotraffic.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace Demo {

Traffic::Traffic(const QUrl& temperUrl, QObject* parent)
    : QObject(parent)
    , m_url(temperUrl)
    , m_network(new QNetworkAccessManager(this))
{
    m_script = {
        { u"text"_s, true },         { u"native"_s, true },   { u"hermes"_s, false },    { u"mistral"_s, true },
        { u"fenced"_s, false },      { u"float"_s, true },    { u"unknown-tool"_s, false }, { u"qwen-xml"_s, true },
        { u"stubborn"_s, false },    { u"llama500"_s, false }, { u"models"_s, false },
    };
}

QJsonArray Traffic::exampleTools()
{
    return QJsonDocument::fromJson(R"([
        {"type": "function", "function": {"name": "get_weather", "description": "Current weather and forecast for a city",
         "parameters": {"type": "object", "properties": {
            "city": {"type": "string", "description": "City name"},
            "days": {"type": "integer", "minimum": 1, "maximum": 7, "description": "Forecast days"}},
          "required": ["city", "days"], "additionalProperties": false}}},
        {"type": "function", "function": {"name": "search_docs", "description": "Search the project documentation",
         "parameters": {"type": "object", "properties": {
            "query": {"type": "string"}, "limit": {"type": "integer", "minimum": 1}},
          "required": ["query"]}}}
    ])").array();
}

QJsonObject Traffic::exampleRequest(const QString& scenario, bool stream)
{
    QJsonObject request {
        { u"model"_s, u"temper-demo-1.0"_s },
        { u"stream"_s, stream },
        { u"messages"_s, QJsonArray {
              QJsonObject { { u"role"_s, u"system"_s }, { u"content"_s, u"You are a helpful assistant with tools."_s } },
              QJsonObject { { u"role"_s, u"user"_s }, { u"content"_s, QString(u"What is the weather in Paris for the next days? [demo:"_s + scenario + u"]"_s) } },
          } },
    };
    if (scenario != u"text"_s)
        request.insert(u"tools"_s, exampleTools());
    return request;
}

void Traffic::start(int spacingMs)
{
    m_spacingMs = spacingMs;
    sendNext();
}

void Traffic::sendNext()
{
    if (m_next >= m_script.size())
        return;
    const auto [scenario, stream] = m_script.at(m_next++);
    QNetworkReply* reply = nullptr;
    if (scenario == u"models"_s) {
        QNetworkRequest request(m_url.resolved(QUrl(u"/v1/models"_s)));
        reply = m_network->get(request);
    } else {
        QNetworkRequest request(m_url.resolved(QUrl(u"/v1/chat/completions"_s)));
        request.setHeader(QNetworkRequest::ContentTypeHeader, u"application/json"_s);
        reply = m_network->post(request, QJsonDocument(exampleRequest(scenario, stream)).toJson(QJsonDocument::Compact));
    }
    ++m_pending;
    connect(reply, &QNetworkReply::readyRead, reply, [reply] { reply->readAll(); });
    connect(reply, &QNetworkReply::finished, this, [this, reply] {
        reply->deleteLater();
        if (--m_pending == 0 && m_next >= m_script.size())
            emit finished();
    });
    QTimer::singleShot(m_spacingMs, this, &Traffic::sendNext);
}

} // namespace Demo
