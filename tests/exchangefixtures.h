#pragma once

// Real exchanges of every kind, made by sending requests through a real ProxyService to the demo
// model (all in this process, on 127.0.0.1), for tests of the window's models and pages.
//
//   DemoExchanges demo;                 // starts the demo backend and the proxy
//   const Trace::Exchange& e = demo.run(u"hermes"_s, false);   // waits until it finished
//   demo.proxy()->store()               // everything recorded
//
// Scenarios (the demo model's): text, reasoning, native, parallel, hermes, mistral, fenced,
// qwen-xml, float, unknown-tool, bad-args, stubborn (gives up), plus "models" for a
// pass-through GET /v1/models. Every chat scenario but "text" declares two tools.

#include "demo/demobackend.h"
#include "demo/demotraffic.h"
#include "proxy/proxyservice.h"
#include "trace/tracestore.h"

#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTest>

#include <memory>

class DemoExchanges
{
public:
    explicit DemoExchanges(const QString& apiKey = {})
    {
        Demo::Options options;
        options.firstByteDelayMs = 5;
        options.tokenDelayMs = 2;
        m_demo = std::make_unique<Demo::Backend>(options);
        m_demo->start();
        Config::Settings settings;
        settings.port = 0;
        settings.backend.url = m_demo->url();
        settings.backend.apiKey = apiKey;
        m_proxy = std::make_unique<Proxy::ProxyService>(settings);
        m_proxy->start();
    }

    Proxy::ProxyService* proxy() const { return m_proxy.get(); }
    Demo::Backend* backend() const { return m_demo.get(); }

    // Sends one request and returns a copy of its exchange once it finished.
    Trace::Exchange run(const QString& scenario, bool stream, const QByteArray& extraHeaderName = {},
                        const QByteArray& extraHeaderValue = {})
    {
        const int before = m_proxy->store()->size();
        QNetworkReply* reply = nullptr;
        if (scenario == QStringLiteral("models")) {
            reply = m_network.get(QNetworkRequest(m_proxy->listenUrl().resolved(QUrl(QStringLiteral("/v1/models")))));
        } else {
            QNetworkRequest request(m_proxy->listenUrl().resolved(QUrl(QStringLiteral("/v1/chat/completions"))));
            request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
            if (!extraHeaderName.isEmpty())
                request.setRawHeader(extraHeaderName, extraHeaderValue);
            const QJsonObject body = Demo::Traffic::exampleRequest(scenario, stream);
            reply = m_network.post(request, QJsonDocument(body).toJson(QJsonDocument::Compact));
        }
        QObject::connect(reply, &QNetworkReply::readyRead, reply, [reply] { reply->readAll(); });
        const bool done = QTest::qWaitFor([&] { return reply->isFinished(); }, 15000);
        reply->deleteLater();
        Trace::TraceStore* store = m_proxy->store();
        const bool recorded = QTest::qWaitFor([&] { return store->size() > before && store->runningCount() == 0; }, 5000);
        if (!done || !recorded)
            return {};
        return *store->find(store->ids().last());
    }

private:
    std::unique_ptr<Demo::Backend> m_demo;
    std::unique_ptr<Proxy::ProxyService> m_proxy;
    QNetworkAccessManager m_network;
};
