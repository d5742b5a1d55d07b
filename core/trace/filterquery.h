#pragma once

#include "exchange.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace Trace {

// The filter people type above the exchange list: words to find anywhere (path, model, error,
// request and response bodies) and structured terms, all of which must match.
//
//   model:qwen  outcome:rescued  tool:get_weather  parser:hermes  status:200  status:5xx
//   streamed:yes  method:post  path:/v1/chat  route:passthrough  "exact phrase"  -outcome:passed
//
// Values are matched without regard to case, as substrings (outcome and streamed exactly); a
// leading '-' negates a term. An unknown key is treated as free text, so "foo:bar" still finds
// itself in a body.
class FilterQuery
{
public:
    static FilterQuery parse(const QString& text);

    bool isEmpty() const { return m_terms.isEmpty(); }
    bool matches(const Exchange& exchange) const;
    // The structured keys understood, for completion and help.
    static QStringList keys();

private:
    struct Term
    {
        QString key;   // empty: free text
        QString value; // lower case
        bool negated = false;
    };
    bool termMatches(const Term& term, const Exchange& exchange) const;

    QList<Term> m_terms;
};

} // namespace Trace
