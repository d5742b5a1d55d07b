#include "registry.h"

#include "barejson.h"
#include "jsonenvelopes.h"
#include "pythonic.h"
#include "specialtokens.h"
#include "xmlarguments.h"
#include "xmlinvoke.h"

#include <algorithm>

namespace Guard {

const QList<const FormatParser*>& formatParsers()
{
    static const QList<const FormatParser*> parsers = [] {
        QList<const FormatParser*> all;
        // Each family registers its parsers in its own block, in the order they should be tried
        // within a rank; the sort below puts anchored parsers before envelopes before bare ones.

        // -- JSON inside tags and special tokens (jsonenvelopes.h)

        // -- bare JSON, JSON in code fences (barejson.h)

        // -- XML with one element per argument: <function=..>, <arg_key>, <tool_call>NAME (xmlarguments.h)

        // -- invoke-style XML: <invoke name=..>, DSML, steptml, MiniCPM5, Kimi K3, atem (xmlinvoke.h)

        // -- special-token sequences: Mistral, DeepSeek V3/V3.1, Kimi K2, harmony, Functionary v3.2 (specialtokens.h)

        // -- Python-style call lists, Gemma call syntax, <|python_tag|> (pythonic.h)

        std::stable_sort(all.begin(), all.end(), [](const FormatParser* a, const FormatParser* b) {
            return a->rank() < b->rank();
        });
        return all;
    }();
    return parsers;
}

} // namespace Guard
