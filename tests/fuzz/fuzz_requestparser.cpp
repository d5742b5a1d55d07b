// libFuzzer target: arbitrary bytes, split into chunks at offsets the input itself chooses, into
// the HTTP request parser. Finds crashes and hangs (ASan/UBSan) and checks the parser's promises:
// a complete request comes out whole, an error is final, the same bytes in one piece or in
// chunks give the same requests, and streaming the bodies (as pass-through routes do) hands out
// the same body bytes.
#include "http/requestparser.h"

#include <cstdint>
#include <cstdlib>
#include <utility>

namespace {

struct Outcome
{
    Http::RequestParser::Status status = Http::RequestParser::Status::Incomplete;
    QList<QByteArray> bodies;
};

Outcome run(QByteArrayView input, size_t step, bool streamBodies)
{
    Http::Limits limits;
    limits.maxBodyBytes = 64 * 1024;
    Http::RequestParser parser(limits);
    Outcome outcome;
    QByteArray streamed;
    for (qsizetype pos = 0; pos < input.size(); pos += qsizetype(step)) {
        parser.append(input.sliced(pos, std::min<qsizetype>(qsizetype(step), input.size() - pos)));
        while (true) {
            outcome.status = parser.parse();
            if (streamBodies && outcome.status == Http::RequestParser::Status::Incomplete && parser.bodyInProgress())
                parser.streamBody();
            if (parser.streamingBody())
                streamed += parser.takeBodyBytes();
            if (outcome.status != Http::RequestParser::Status::Complete)
                break;
            const bool wasStreamed = parser.streamingBody();
            const Http::Request request = parser.takeRequest();
            if (request.method.isEmpty() || !(request.path.startsWith('/') || request.path == "*"))
                std::abort(); // a request the parser accepted must be well formed
            if (wasStreamed && !request.body.isEmpty())
                std::abort(); // a streamed body is handed out, never also collected
            outcome.bodies.append(wasStreamed ? std::exchange(streamed, QByteArray()) : request.body);
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
    const Outcome whole = run(input, size_t(input.size()) + 1, false);
    const Outcome chunked = run(input, step, false);
    if (whole.bodies != chunked.bodies || whole.status != chunked.status)
        std::abort(); // splitting the bytes must not change what comes out
    const Outcome streamed = run(input, step, true);
    if (streamed.bodies != whole.bodies || streamed.status != whole.status)
        std::abort(); // nor must streaming the bodies
    return 0;
}
