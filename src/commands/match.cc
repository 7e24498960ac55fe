#include "commands/match.h"

#include <cctype>

namespace stmkv {

namespace {

// A port of stringmatchlen_impl. Redis reads its NUL-terminated sds one byte past the end in a
// few places; at(i) returns that terminator for i == len. Characters are compared as (signed)
// char like the C code, which matters for ranges with bytes >= 0x80.
struct Matcher {
  bool nocase;
  bool skip_longer = false;

  static int lower(int c) { return std::tolower(static_cast<unsigned char>(c)); }

  bool run(const char* p, long plen, const char* s, long slen, int nesting) {
    auto at = [&](long i) -> char { return i < plen ? p[i] : '\0'; };
    if (nesting > 1000) return false;
    while (plen > 0 && slen > 0) {
      switch (p[0]) {
        case '*':
          while (plen > 1 && p[1] == '*') {
            ++p;
            --plen;
          }
          if (plen == 1) return true;
          while (slen > 0) {
            if (run(p + 1, plen - 1, s, slen, nesting + 1)) return true;
            if (skip_longer) return false;
            ++s;
            --slen;
          }
          skip_longer = true;
          return false;
        case '?':
          ++s;
          --slen;
          break;
        case '[': {
          ++p;
          --plen;
          bool negate = at(0) == '^';
          if (negate) {
            ++p;
            --plen;
          }
          bool match = false;
          for (;;) {
            if (at(0) == '\\' && plen >= 2) {
              ++p;
              --plen;
              if (p[0] == s[0]) match = true;
            } else if (at(0) == ']') {
              break;
            } else if (plen == 0) {
              --p;
              ++plen;
              break;
            } else if (plen >= 3 && p[1] == '-') {
              int start = p[0], end = p[2], c = s[0];
              if (start > end) std::swap(start, end);
              if (nocase) {
                start = lower(start);
                end = lower(end);
                c = lower(c);
              }
              p += 2;
              plen -= 2;
              if (c >= start && c <= end) match = true;
            } else if (!nocase ? p[0] == s[0] : lower(p[0]) == lower(s[0])) {
              match = true;
            }
            ++p;
            --plen;
          }
          if (negate) match = !match;
          if (!match) return false;
          ++s;
          --slen;
          break;
        }
        case '\\':
          if (plen >= 2) {
            ++p;
            --plen;
          }
          [[fallthrough]];
        default:
          if (!nocase ? p[0] != s[0] : lower(p[0]) != lower(s[0])) return false;
          ++s;
          --slen;
          break;
      }
      ++p;
      --plen;
      if (slen == 0) {
        while (plen > 0 && p[0] == '*') {
          ++p;
          --plen;
        }
        break;
      }
    }
    return plen == 0 && slen == 0;
  }
};

}  // namespace

bool string_match(std::string_view pattern, std::string_view s, bool nocase) {
  Matcher m{nocase};
  return m.run(pattern.data(), static_cast<long>(pattern.size()), s.data(),
               static_cast<long>(s.size()), 0);
}

bool parse_scan_cursor(std::string_view s, uint64_t* cursor) {
  if (s.empty()) {
    *cursor = 0;
    return true;
  }
  size_t i = 0;
  bool neg = false;
  if (s[0] == '+' || s[0] == '-') {
    neg = s[0] == '-';
    ++i;
  }
  if (i == s.size()) return false;
  uint64_t v = 0;
  for (; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < '0' || c > '9') return false;
    uint64_t d = c - '0';
    if (v > (UINT64_MAX - d) / 10) return false;  // ERANGE
    v = v * 10 + d;
  }
  *cursor = neg ? uint64_t(0) - v : v;
  return true;
}

}  // namespace stmkv
