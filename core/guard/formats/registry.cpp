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
        static const CohereActionParser cohereAction;
        all.append(&cohereAction);
        static const CommandRPlusParser commandRPlus;
        all.append(&commandRPlus);
        static const InternLmActionParser internLmAction;
        all.append(&internLmAction);
        static const ApertusParser apertus;
        all.append(&apertus);
        static const GigaChatParser gigaChat;
        all.append(&gigaChat);
        static const Lfm2JsonParser lfm2Json;
        all.append(&lfm2Json);
        static const GraniteToolCallTokenParser graniteToolCallToken;
        all.append(&graniteToolCallToken);
        static const FunctoolsParser functools;
        all.append(&functools);
        static const NemotronToolCallParser nemotronToolCall;
        all.append(&nemotronToolCall);
        static const LongCatParser longCat;
        all.append(&longCat);
        static const ToolCallsBlockParser toolCallsBlock;
        all.append(&toolCallsBlock);
        static const HermesJsonParser hermesJson;
        all.append(&hermesJson);
        static const HermesAltWrapperParser hermesAltWrapper;
        all.append(&hermesAltWrapper);
        static const Granite20bFunctionCallParser granite20bFunctionCall;
        all.append(&granite20bFunctionCall);

        // -- bare JSON, JSON in code fences (barejson.h)
        static const JsonFenceParser jsonFence;
        all.append(&jsonFence);
        static const BareJsonParser bareJson;
        all.append(&bareJson);

        // -- XML with one element per argument: <function=..>, <arg_key>, <tool_call>NAME (xmlarguments.h)
        static const FunctionTagParser functionTag;
        all.append(&functionTag);
        static const NameFirstParser nameFirst;
        all.append(&nameFirst);

        // -- invoke-style XML: <invoke name=..>, DSML, steptml, MiniCPM5, Kimi K3, atem (xmlinvoke.h)
        static const KimiXtmlParser kimiXtml;
        all.append(&kimiXtml);
        static const AtemParser atem;
        all.append(&atem);
        static const DsmlParser dsml;
        all.append(&dsml);
        static const SteptmlParser steptml;
        all.append(&steptml);
        static const InvokeParser invoke;
        all.append(&invoke);
        static const MiniCpm5Parser miniCpm5;
        all.append(&miniCpm5);

        // -- special-token sequences: Mistral, DeepSeek V3/V3.1, Kimi K2, harmony, Functionary v3.2 (specialtokens.h)
        static const MistralParser mistral;
        all.append(&mistral);
        static const DeepSeekParser deepSeek;
        all.append(&deepSeek);
        static const KimiK2Parser kimiK2;
        all.append(&kimiK2);
        static const HarmonyParser harmony;
        all.append(&harmony);
        static const FunctionaryV32Parser functionary;
        all.append(&functionary);
        static const ArgsRehearsalParser argsRehearsal;
        all.append(&argsRehearsal);
        static const FunctionaryV32Parser functionaryStart(true);
        all.append(&functionaryStart);

        // -- Python-style call lists, Gemma call syntax, <|python_tag|> (pythonic.h)
        static const GemmaCallParser gemmaCall;
        all.append(&gemmaCall);
        static const Lfm2PythonicParser lfm2Pythonic;
        all.append(&lfm2Pythonic);
        static const PythonStartParser pythonStart;
        all.append(&pythonStart);
        static const PythonTagParser pythonTag;
        all.append(&pythonTag);
        static const Olmo3FunctionCallsParser olmo3FunctionCalls;
        all.append(&olmo3FunctionCalls);
        static const PythonicListParser pythonicList;
        all.append(&pythonicList);
        static const BareGemmaCallParser bareGemmaCall;
        all.append(&bareGemmaCall);

        std::stable_sort(all.begin(), all.end(), [](const FormatParser* a, const FormatParser* b) {
            return a->rank() < b->rank();
        });
        return all;
    }();
    return parsers;
}

} // namespace Guard
