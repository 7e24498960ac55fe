#include "commands/util.h"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>

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

}  // namespace stmkv
