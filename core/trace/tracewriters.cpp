#include "tracewriters.h"

#include "tracejson.h"
#include "tracestore.h"

#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace Trace {

TraceFileWriter::TraceFileWriter(TraceStore* store, QObject* parent)
    : QObject(parent)
    , m_store(store)
{
}

bool TraceFileWriter::open(const QString& path, QString* error)
{
    m_file.setFileName(path);
    if (!m_file.open(QIODevice::WriteOnly | QIODevice::Append)) {
        if (error)
            *error = u"cannot open the trace file %1: %2"_s.arg(path, m_file.errorString());
        return false;
    }
    connect(m_store, &TraceStore::exchangeFinished, this, &TraceFileWriter::write, Qt::UniqueConnection);
    return true;
}

void TraceFileWriter::write(quint64 id)
{
    const Exchange* exchange = m_store->find(id);
    if (!exchange || !m_file.isOpen())
        return;
    m_file.write(QJsonDocument(exchangeToJson(*exchange)).toJson(QJsonDocument::Compact));
    m_file.write("\n");
    m_file.flush();
}

SummaryPrinter::SummaryPrinter(TraceStore* store, FILE* stream, QObject* parent)
    : QObject(parent)
    , m_store(store)
    , m_out(stream)
{
    connect(store, &TraceStore::exchangeFinished, this, [this](quint64 id) {
        if (const Exchange* exchange = m_store->find(id)) {
            m_out << exchangeSummaryLine(*exchange) << Qt::endl;
        }
    });
}

} // namespace Trace
