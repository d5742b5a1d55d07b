#include "secretstore.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QFuture>
#include <QPromise>
#include <QThread>
#include <QTimer>

#include <qt6keychain/keychain.h>

#include <atomic>
#include <memory>

using namespace Qt::StringLiterals;

namespace Config {

namespace {

const QString kEntry = u"api-key"_s;

QThread* g_keyringThread = nullptr;
QObject* g_keyringContext = nullptr;
std::atomic<int> g_unfinishedJobs { 0 };

// At exit, stop the keyring thread if it is idle. One still blocked in D-Bus is left to the
// end of the process: destroying a running QThread aborts.
void stopKeyringThread()
{
    if (!g_keyringThread)
        return;
    g_keyringThread->quit();
    if (g_unfinishedJobs == 0 && g_keyringThread->wait(1000)) {
        delete g_keyringContext;
        delete g_keyringThread;
    }
    g_keyringThread = nullptr;
    g_keyringContext = nullptr;
}

// An object living on the keyring thread, for QMetaObject::invokeMethod. QtKeychain's jobs, its
// job queue and its D-Bus calls all stay on that one thread.
QObject* keyringContext()
{
    if (!g_keyringThread) {
        g_keyringThread = new QThread;
        g_keyringThread->setObjectName(u"keyring"_s);
        g_keyringContext = new QObject;
        g_keyringContext->moveToThread(g_keyringThread);
        g_keyringThread->start();
        qAddPostRoutine(stopKeyringThread);
    }
    return g_keyringContext;
}

KeyringReply unavailable(const QString& reason)
{
    KeyringReply reply;
    reply.status = KeyringReply::Status::Unavailable;
    reply.reason = reason;
    return reply;
}

KeyringReply replyOf(QKeychain::Job* job, bool reading, bool removing)
{
    KeyringReply reply;
    switch (job->error()) {
    case QKeychain::NoError:
        if (reading) {
            reply.key = static_cast<QKeychain::ReadPasswordJob*>(job)->textData();
            reply.status = reply.key.isEmpty() ? KeyringReply::Status::NotFound : KeyringReply::Status::Found;
        } else {
            reply.status = removing ? KeyringReply::Status::Removed : KeyringReply::Status::Stored;
        }
        return reply;
    case QKeychain::EntryNotFound:
        reply.status = removing ? KeyringReply::Status::Removed : KeyringReply::Status::NotFound;
        return reply;
    case QKeychain::AccessDeniedByUser:
        return unavailable(u"access to the keyring was refused"_s);
    case QKeychain::NoBackendAvailable:
    case QKeychain::NotImplemented:
        return unavailable(u"no secret service answered"_s);
    case QKeychain::AccessDenied:
    case QKeychain::CouldNotDeleteEntry:
    case QKeychain::OtherError:
        break;
    }
    // QtKeychain reports a missing D-Bus service on Linux as OtherError "Unknown error".
    const QString text = job->errorString();
    return unavailable(text.isEmpty() || text == "Unknown error"_L1 ? u"no secret service answered"_s : text);
}

} // namespace

ApiKey resolveApiKey(const CommandLine& commandLine, const KeyringReply& keyring, const QString& variable,
    const QProcessEnvironment& environment)
{
    ApiKey result;
    const QString& given = commandLine.settings.backend.apiKey;
    if (!given.isEmpty()) {
        result.key = given;
        result.origin = commandLine.explicitOptions.contains("api-key"_L1) ? KeyOrigin::Flag
                                                                           : KeyOrigin::TemperVariable;
        return result;
    }
    if (keyring.status == KeyringReply::Status::Found && !keyring.key.isEmpty()) {
        result.key = keyring.key;
        result.origin = KeyOrigin::Keyring;
        return result;
    }
    if (!variable.isEmpty()) {
        const QString value = environment.value(variable);
        if (!value.isEmpty()) {
            result.key = value;
            result.origin = KeyOrigin::Variable;
            result.variable = variable;
        }
    }
    return result;
}

QString describeKeyOrigin(const ApiKey& key)
{
    switch (key.origin) {
    case KeyOrigin::None:
        break;
    case KeyOrigin::Flag:
        return u"from --api-key, for this run"_s;
    case KeyOrigin::TemperVariable:
        return u"from $TEMPER_API_KEY, for this run"_s;
    case KeyOrigin::Keyring:
        return u"from the keyring"_s;
    case KeyOrigin::Variable:
        return u"from $%1"_s.arg(key.variable);
    case KeyOrigin::Typed:
        return u"entered here, for this run only"_s;
    }
    return u"none: a client's own Authorization header passes through"_s;
}

QString describeKeyStorage(const KeyringReply& keyring, const QString& variable)
{
    if (keyring.keyringAnswered())
        return u"Kept in the system keyring (service \u201cTemper\u201d), never in the settings file."_s;
    if (!variable.isEmpty())
        return u"No keyring (%1): the key is read from $%2."_s.arg(keyring.reason, variable);
    return u"No keyring (%1): a key entered here lasts for this run; name an environment variable to read it from."_s
        .arg(keyring.reason);
}

bool KeyringStore::hasUnfinishedJobs()
{
    return g_unfinishedJobs > 0;
}

KeyringStore::KeyringStore(QObject* parent)
    : QObject(parent)
{ }

void KeyringStore::read(const Callback& done)
{
    run(Operation::Read, QString(), done);
}

void KeyringStore::write(const QString& key, const Callback& done)
{
    run(key.isEmpty() ? Operation::Remove : Operation::Write, key, done);
}

KeyringReply KeyringStore::readNow()
{
    KeyringReply result;
    QEventLoop loop;
    read([&](const KeyringReply& reply) {
        result = reply;
        loop.quit();
    });
    loop.exec();
    return result;
}

void KeyringStore::run(Operation operation, const QString& key, const Callback& done)
{
    auto promise = std::make_shared<QPromise<KeyringReply>>();
    promise->start();
    QFuture<KeyringReply> future = promise->future();
    QMetaObject::invokeMethod(keyringContext(), [promise, operation, key, service = m_service] {
        QKeychain::Job* job = nullptr;
        if (operation == Operation::Read) {
            job = new QKeychain::ReadPasswordJob(service);
        } else if (operation == Operation::Write) {
            auto* write = new QKeychain::WritePasswordJob(service);
            write->setTextData(key);
            job = write;
        } else {
            job = new QKeychain::DeletePasswordJob(service);
        }
        job->setKey(kEntry);
        job->setInsecureFallback(false);
        ++g_unfinishedJobs;
        QObject::connect(job, &QKeychain::Job::finished, job, [promise, operation](QKeychain::Job* finished) {
            --g_unfinishedJobs;
            promise->addResult(
                replyOf(finished, operation == Operation::Read, operation == Operation::Remove));
            promise->finish();
        });
        job->start(); // the job deletes itself when it has finished
    });

    // The first of the answer and the timeout wins; both arrive on this thread.
    auto answered = std::make_shared<bool>(false);
    auto answer = [answered, done](const KeyringReply& reply) {
        if (std::exchange(*answered, true))
            return;
        done(reply);
    };
    const int timeoutMs = m_timeoutMs;
    QTimer::singleShot(timeoutMs, this, [answer, timeoutMs] {
        answer(unavailable(
            u"the keyring did not answer within %1 s"_s.arg(QString::number(timeoutMs / 1000.0, 'g', 2))));
    });
    future.then(this, [answer](const KeyringReply& reply) { answer(reply); });
}

} // namespace Config
