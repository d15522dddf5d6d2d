// sentiment_lexicon.cpp — the lexicon sentiment model: file format, tokenizer, negation, and
// the built-in English lexicon (docs/metrics.md, "Text sentiment").
#include <journeykit/voice.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace journeykit {

namespace {

// The entries of data/lexicons/en.tsv (comments left out); LexiconTest.BuiltinMatchesFile keeps
// the two identical.
constexpr std::string_view kBuiltinEnglish = R"(excellent	1
amazing	1
awesome	0.9
fantastic	1
outstanding	1
perfect	1
superb	1
brilliant	0.9
wonderful	0.9
love	0.9
loved	0.9
best	0.8
great	0.8
good	0.6
nice	0.5
helpful	0.6
useful	0.5
clear	0.4
easy	0.5
fast	0.4
quick	0.4
friendly	0.6
happy	0.7
glad	0.6
satisfied	0.6
recommend	0.7
recommended	0.7
enjoyed	0.7
enjoy	0.6
like	0.4
liked	0.4
thanks	0.4
thank	0.4
worth	0.5
valuable	0.6
smooth	0.5
fine	0.2
ok	0.1
okay	0.1
interesting	0.4
informative	0.5
professional	0.5
responsive	0.5
fun	0.5
bad	-0.6
poor	-0.6
slow	-0.4
confusing	-0.5
confused	-0.4
difficult	-0.4
hard	-0.3
boring	-0.5
expensive	-0.3
overpriced	-0.6
disappointed	-0.7
disappointing	-0.7
unhappy	-0.7
annoying	-0.6
annoyed	-0.6
frustrating	-0.7
frustrated	-0.7
problem	-0.4
problems	-0.4
issue	-0.3
issues	-0.3
broken	-0.6
bug	-0.4
bugs	-0.4
error	-0.4
errors	-0.4
useless	-0.8
waste	-0.8
wasted	-0.8
rude	-0.8
late	-0.3
missing	-0.4
unclear	-0.4
complicated	-0.4
spam	-0.7
unsubscribe	-0.5
refund	-0.5
cancel	-0.4
cancelled	-0.4
terrible	-1
awful	-1
horrible	-1
worst	-1
hate	-0.9
hated	-0.9
scam	-1
fraud	-1
disgusting	-1
)";

constexpr size_t kMaxToken = 64;  // longer tokens are never terms

bool IsLetter(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

char Lower(unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); }

bool IsNegator(std::string_view token) {
  return token == "not" || token == "no" || token == "never" ||
         (token.size() > 3 && token.substr(token.size() - 3) == "n't") ||
         (token.size() > 5 && token.substr(token.size() - 5) == "n\u2019t");
}

// Calls on_token(std::string_view) for every token of `text`, lower-cased, in order. Tokens
// longer than kMaxToken are passed as an empty view (a token that is never a term).
template <typename F>
void Tokenize(std::string_view text, F&& on_token) {
  std::array<char, kMaxToken> buf{};
  size_t len = 0;
  bool in_token = false;
  bool too_long = false;
  auto flush = [&] {
    if (in_token) on_token(too_long ? std::string_view() : std::string_view(buf.data(), len));
    in_token = too_long = false;
    len = 0;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    bool letter = IsLetter(c);
    if (!letter && c == '\'' && in_token && i + 1 < text.size() &&
        IsLetter(static_cast<unsigned char>(text[i + 1]))) {
      letter = true;  // an apostrophe inside a word: "don't"
    }
    if (!letter) {
      flush();
      continue;
    }
    in_token = true;
    if (len < kMaxToken) {
      buf[len++] = Lower(c);
    } else {
      too_long = true;
    }
  }
  flush();
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

}  // namespace

Result<LexiconSentimentModel> LexiconSentimentModel::Parse(std::string_view text,
                                                           std::string_view origin) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  struct Entry {
    std::string term;
    double score;
    size_t line;
  };
  std::vector<Entry> entries;
  size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::string_view content = Trim(line);
    if (content.empty() || content.front() == '#') continue;
    auto where = [&] { return std::string(origin) + ":" + std::to_string(line_no) + ": "; };
    size_t tab = line.find('\t');
    if (tab == std::string_view::npos) {
      return DataError(where() + "expected term<TAB>score, got '" + std::string(content) + "'");
    }
    std::string_view term_text = Trim(line.substr(0, tab));
    std::string_view score_text = Trim(line.substr(tab + 1));
    std::string term;
    size_t tokens = 0;
    Tokenize(term_text, [&](std::string_view token) {
      ++tokens;
      term.assign(token);
    });
    if (tokens != 1 || term.size() != term_text.size()) {
      return DataError(where() + "term '" + std::string(term_text) +
                       "' is not one word (letters and inner apostrophes only)");
    }
    std::string number(score_text);
    char* end = nullptr;
    errno = 0;
    double score = number.empty() ? 0.0 : std::strtod(number.c_str(), &end);
    if (number.empty() || end != number.c_str() + number.size() || errno != 0 ||
        !std::isfinite(score)) {
      return DataError(where() + "score '" + number + "' is not a number");
    }
    if (score < -1.0 || score > 1.0) {
      return DataError(where() + "score " + number + " is outside -1..+1");
    }
    entries.push_back(Entry{std::move(term), score, line_no});
  }
  std::stable_sort(entries.begin(), entries.end(),
                   [](const Entry& a, const Entry& b) { return a.term < b.term; });
  LexiconSentimentModel model;
  model.terms_.reserve(entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    if (i > 0 && entries[i].term == model.terms_.back().first) {
      return DataError(std::string(origin) + ":" + std::to_string(entries[i].line) +
                       ": duplicate term '" + entries[i].term + "' (first on line " +
                       std::to_string(entries[i - 1].line) + ")");
    }
    model.terms_.emplace_back(std::move(entries[i].term), entries[i].score);
  }
  return model;
}

Result<LexiconSentimentModel> LexiconSentimentModel::LoadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound(path + ": cannot open the lexicon file");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return IoError(path + ": cannot read the lexicon file");
  return Parse(ss.str(), path);
}

Result<LexiconSentimentModel> LexiconSentimentModel::LoadLanguage(const std::string& directory,
                                                                  std::string_view language) {
  if (language.empty() || language.find('/') != std::string_view::npos ||
      language.find("..") != std::string_view::npos) {
    return InvalidArgument("lexicon language '" + std::string(language) +
                           "' is not a language code");
  }
  return LoadFile(directory + "/" + std::string(language) + ".tsv");
}

std::string_view LexiconSentimentModel::BuiltinEnglishText() { return kBuiltinEnglish; }

const LexiconSentimentModel& LexiconSentimentModel::BuiltinEnglish() {
  static const LexiconSentimentModel kModel = [] {
    auto parsed = Parse(kBuiltinEnglish, "builtin:en");
    if (!parsed.ok()) {
      std::fputs(("journeykit: " + parsed.status().message() + "\n").c_str(), stderr);
      std::abort();
    }
    return std::move(parsed).value();
  }();
  return kModel;
}

std::optional<double> LexiconSentimentModel::TermScore(std::string_view term) const {
  auto it = std::lower_bound(
      terms_.begin(), terms_.end(), term,
      [](const std::pair<std::string, double>& a, std::string_view b) { return a.first < b; });
  if (it == terms_.end() || it->first != term) return std::nullopt;
  return it->second;
}

std::optional<double> LexiconSentimentModel::Score(std::string_view text) const {
  double sum = 0;
  size_t matched = 0;
  bool negate = false;
  Tokenize(text, [&](std::string_view token) {
    if (!token.empty() && IsNegator(token)) {
      negate = true;
      return;
    }
    if (auto s = TermScore(token)) {
      sum += negate ? -*s : *s;
      ++matched;
    }
    negate = false;
  });
  if (matched == 0) return std::nullopt;
  return std::clamp(sum / static_cast<double>(matched), -1.0, 1.0);
}

}  // namespace journeykit
