#pragma once

#include <QFile>
#include <QObject>
#include <QTextStream>

namespace Trace {

class TraceStore;

// Appends one JSON line per finished exchange to a file (--trace-file), flushed per line so a
// crash or a kill loses nothing already finished.
class TraceFileWriter : public QObject
{
    Q_OBJECT

public:
    explicit TraceFileWriter(TraceStore* store, QObject* parent = nullptr);
    bool open(const QString& path, QString* error = nullptr);

private:
    void write(quint64 id);

    TraceStore* m_store;
    QFile m_file;
};

// Prints one human-readable line per finished exchange (headless mode).
class SummaryPrinter : public QObject
{
    Q_OBJECT

public:
    SummaryPrinter(TraceStore* store, FILE* stream, QObject* parent = nullptr);

private:
    TraceStore* m_store;
    QTextStream m_out;
};

} // namespace Trace
