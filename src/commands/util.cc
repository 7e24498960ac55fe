#include "commands/util.h"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "commands/match.h"
#include "protocol/number_format.h"

namespace stmkv {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

bool parse_int64(std::string_view s, int64_t* out) {
  long long v;
  if (!protocol::string2ll(s, &v)) return false;
  *out = v;
  return true;
}

bool parse_double(std::string_view s, double* out) {
  if (s.empty() || s.size() > 5000) return false;
  if (std::isspace(static_cast<unsigned char>(s[0]))) return false;
  std::string buf(s);
  char* end;
  errno = 0;
  double v = std::strtod(buf.c_str(), &end);
  if (end != buf.c_str() + buf.size() || std::isnan(v)) return false;
  if (errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL || v == 0)) return false;
  *out = v;
  return true;
}

bool arg_int64(CommandContext& ctx, size_t i, int64_t* out) {
  if (parse_int64(ctx.arg(i), out)) return true;
  ctx.reply_not_integer();
  return false;
}

stm::Ref<Entry> lookup_typed(CommandContext& ctx, Db& db, std::string_view key, ObjType type,
                             bool* wrong) {
  *wrong = false;
  stm::Ref<Entry> e = db.find(key);
  if (e.is_null()) {
    ctx.miss();
    return e;
  }
  ctx.hit();
  if (static_cast<ObjType>(db.read(e).type) != type) {
    *wrong = true;
    ctx.reply_wrong_type();
    return stm::Ref<Entry>();
  }
  return e;
}

Encoding string_encoding_for(std::string_view value) {
  int64_t v;
  if (value.size() <= 20 && parse_int64(value, &v)) return Encoding::kInt;
  return value.size() <= 44 ? Encoding::kEmbstr : Encoding::kRaw;
}

// Redis's MAX_LONG_DOUBLE_CHARS.
constexpr size_t kMaxLongDoubleChars = 5 * 1024;

// Redis's string2ld: strtold rules, no leading space, no trailing garbage, no NaN, no
// overflow/underflow to inf/0.
bool parse_long_double(std::string_view s, long double* out) {
  if (s.empty() || s.size() >= kMaxLongDoubleChars) return false;
  std::string buf(s);
  char* end;
  errno = 0;
  long double v = std::strtold(buf.c_str(), &end);
  if (std::isspace(static_cast<unsigned char>(buf[0])) || *end != '\0' ||
      size_t(end - buf.c_str()) != s.size() ||
      (errno == ERANGE && (v == HUGE_VALL || v == -HUGE_VALL || std::fpclassify(v) == FP_ZERO)) ||
      errno == EINVAL || std::isnan(v)) {
    return false;
  }
  *out = v;
  return true;
}

// Redis's ld2string in LD_STR_HUMAN mode: "%.17Lf" with the trailing zeros (and a trailing
// '.') removed, "-0" as "0". value is finite.
std::string format_long_double(long double value) {
  char buf[kMaxLongDoubleChars];
  int l = std::snprintf(buf, sizeof buf, "%.17Lf", value);
  if (l < 0 || size_t(l) + 1 > sizeof buf) return "0";
  if (std::memchr(buf, '.', size_t(l)) != nullptr) {
    while (buf[l - 1] == '0') --l;
    if (buf[l - 1] == '.') --l;
  }
  if (l == 2 && buf[0] == '-' && buf[1] == '0') return "0";
  return std::string(buf, size_t(l));
}

stm::Ref<Entry> scan_collection_start(CommandContext& ctx, Db& db, ObjType type,
                                      uint64_t* cursor) {
  if (!parse_scan_cursor(ctx.arg(2), cursor)) {
    ctx.out.add_error("ERR invalid cursor");
    return stm::Ref<Entry>();
  }
  bool wrong;
  stm::Ref<Entry> e = lookup_typed(ctx, db, ctx.arg(1), type, &wrong);
  if (e.is_null() && !wrong) {
    ctx.out.add_array_len(2);
    ctx.out.add_bulk("0");
    ctx.out.add_empty_array();
  }
  return e;
}

}  // namespace stmkv
