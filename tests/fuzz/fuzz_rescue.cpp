// libFuzzer target: arbitrary model output (UTF-8) through the whole Rescuer with a fixed set of
// declared tools, then the validator on every call. Checks what the guard relies on: only
// declared tool names come out, spans lie inside the text, content never grows beyond the text,
// and nothing crashes or hangs whatever the bytes.
#include "guard/rescuer.h"
#include "guard/schemavalidator.h"

#include <QJsonDocument>

#include <cstdint>
#include <cstdlib>

namespace {

const Guard::ToolCatalog& tools()
{
    static const Guard::ToolCatalog catalog = Guard::ToolCatalog::fromTools(QJsonDocument::fromJson(R"([
        {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object",
            "properties": {"city": {"type": "string"}, "days": {"type": "integer", "minimum": 1},
                           "units": {"enum": ["c", "f"]}, "tags": {"type": "array", "items": {"type": "string"}}},
            "required": ["city"]}}},
        {"type": "function", "function": {"name": "python", "parameters": {"type": "object",
            "properties": {"code": {"type": "string"}}, "required": ["code"]}}},
        {"type": "function", "function": {"name": "f", "parameters": {"type": "object",
            "properties": {"x": {"anyOf": [{"type": "integer"}, {"type": "null"}]}, "o": {"$ref": "#/$defs/o"}},
            "$defs": {"o": {"type": "object", "properties": {"o": {"$ref": "#/$defs/o"}}}}}}}
    ])").array());
    return catalog;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QString text = QString::fromUtf8(reinterpret_cast<const char*>(data), qsizetype(size));
    const Guard::RescueResult result = Guard::Rescuer().rescue(text, tools());
    for (const Guard::ParsedCall& call : result.calls) {
        if (!tools().find(call.name))
            std::abort(); // an undeclared name became a call
        if (call.span.start < 0 || call.span.end > text.size() || call.span.start > call.span.end)
            std::abort(); // a span outside the text
        (void)Guard::SchemaValidator::validate(tools(), call.name, call.arguments);
    }
    if (result.content.size() > text.size() + result.calls.size() + 8)
        std::abort(); // content is made of the text, never more
    if (!result.calls.isEmpty() && result.format.isEmpty())
        std::abort(); // every rescue names its format
    return 0;
}
