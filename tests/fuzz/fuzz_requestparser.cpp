// libFuzzer target: arbitrary bytes, split into chunks at offsets the input itself chooses, into
// the HTTP request parser. Finds crashes and hangs (ASan/UBSan) and checks the parser's promises:
// a complete request comes out whole, an error is final, the same bytes in one piece or in
// chunks give the same requests.
#include "http/requestparser.h"

#include <cstdint>
#include <cstdlib>

namespace {

struct Outcome
{
    Http::RequestParser::Status status = Http::RequestParser::Status::Incomplete;
    QList<QByteArray> bodies;
};

Outcome run(QByteArrayView input, size_t step)
{
    Http::Limits limits;
    limits.maxBodyBytes = 64 * 1024;
    Http::RequestParser parser(limits);
    Outcome outcome;
    for (qsizetype pos = 0; pos < input.size(); pos += qsizetype(step)) {
        parser.append(input.sliced(pos, std::min<qsizetype>(qsizetype(step), input.size() - pos)));
        while ((outcome.status = parser.parse()) == Http::RequestParser::Status::Complete) {
            const Http::Request request = parser.takeRequest();
            if (request.method.isEmpty() || !(request.path.startsWith('/') || request.path == "*"))
                std::abort(); // a request the parser accepted must be well formed
            outcome.bodies.append(request.body);
        }
        if (outcome.status == Http::RequestParser::Status::Error) {
            const int status = parser.errorStatus();
            if (status < 400 || status > 505 || parser.parse() != Http::RequestParser::Status::Error)
                std::abort(); // errors carry a 4xx/5xx and are final
            break;
        }
    }
    return outcome;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size == 0)
        return 0;
    const size_t step = 1 + data[0] % 17; // the first byte picks the chunk size
    const QByteArrayView input(reinterpret_cast<const char*>(data) + 1, qsizetype(size - 1));
    const Outcome whole = run(input, size_t(input.size()) + 1);
    const Outcome chunked = run(input, step);
    if (whole.bodies != chunked.bodies || whole.status != chunked.status)
        std::abort(); // splitting the bytes must not change what comes out
    return 0;
}
