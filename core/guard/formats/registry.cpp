#include "registry.h"

#include <algorithm>

namespace Guard {

const QList<const FormatParser*>& formatParsers()
{
    static const QList<const FormatParser*> parsers = [] {
        QList<const FormatParser*> all;
        // Each family registers its parsers in its own block below.

        // -- JSON inside tags and special tokens (jsonenvelopes.h)

        // -- bare JSON, code fences, name-then-JSON (barejson.h)

        // -- XML with one element per argument (xmlarguments.h)

        // -- special-token sequences: Mistral, DeepSeek, Kimi K2, harmony, Functionary (specialtokens.h)

        // -- Python-style call lists and Gemma call syntax (pythonic.h)

        std::stable_sort(all.begin(), all.end(), [](const FormatParser* a, const FormatParser* b) {
            return a->rank() < b->rank();
        });
        return all;
    }();
    return parsers;
}

} // namespace Guard
