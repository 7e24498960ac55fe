#include "protocol/number_format.h"

#include <charconv>
#include <cmath>
#include <cstring>

namespace protocol {
namespace {

// Two digits at a time, as Redis's util.c does.
constexpr char kDigitPairs[] =
    "0001020304050607080910111213141516171819"
    "2021222324252627282930313233343536373839"
    "4041424344454647484950515253545556575859"
    "6061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

size_t digits10(unsigned long long v) {
  size_t n = 1;
  while (v >= 10) {
    if (v < 100) return n + 1;
    if (v < 1000) return n + 2;
    if (v < 10000) return n + 3;
    v /= 10000;
    n += 4;
  }
  return n;
}

size_t ull2string(char* dst, size_t dst_len, unsigned long long value) {
  const size_t length = digits10(value);
  if (length >= dst_len) return 0;
  dst[length] = '\0';
  size_t next = length - 1;
  while (value >= 100) {
    const size_t i = (value % 100) * 2;
    value /= 100;
    dst[next] = kDigitPairs[i + 1];
    dst[next - 1] = kDigitPairs[i];
    next -= 2;
  }
  if (value < 10) {
    dst[next] = static_cast<char>('0' + value);
  } else {
    const size_t i = value * 2;
    dst[next] = kDigitPairs[i + 1];
    dst[next - 1] = kDigitPairs[i];
  }
  return length;
}

}  // namespace

size_t ll2string(char* dst, size_t dst_len, long long value) {
  if (value >= 0) return ull2string(dst, dst_len, static_cast<unsigned long long>(value));
  if (dst_len < 3) return 0;  // '-', a digit, NUL
  // -(LLONG_MIN) overflows as signed; negate in unsigned arithmetic.
  const unsigned long long magnitude = 0ULL - static_cast<unsigned long long>(value);
  dst[0] = '-';
  const size_t n = ull2string(dst + 1, dst_len - 1, magnitude);
  return n == 0 ? 0 : n + 1;
}

bool string2ll(std::string_view text, long long* value) {
  const char* p = text.data();
  size_t left = text.size();
  if (left == 0 || left > kLongLongStrSize - 1) return false;
  if (left == 1 && p[0] == '0') {
    *value = 0;
    return true;
  }
  bool negative = false;
  if (p[0] == '-') {
    negative = true;
    ++p;
    --left;
    if (left == 0) return false;
  }
  if (p[0] < '1' || p[0] > '9') return false;  // no leading zeros, no "-0"
  unsigned long long v = static_cast<unsigned long long>(p[0] - '0');
  ++p;
  --left;
  constexpr unsigned long long kMax = ~0ULL;
  for (; left > 0; ++p, --left) {
    if (*p < '0' || *p > '9') return false;
    if (v > kMax / 10) return false;
    v *= 10;
    const unsigned long long digit = static_cast<unsigned long long>(*p - '0');
    if (v > kMax - digit) return false;
    v += digit;
  }
  constexpr unsigned long long kLlongMax = static_cast<unsigned long long>(INT64_MAX);
  if (negative) {
    if (v > kLlongMax + 1) return false;
    *value = static_cast<long long>(0ULL - v);
  } else {
    if (v > kLlongMax) return false;
    *value = static_cast<long long>(v);
  }
  return true;
}

size_t format_double(char* dst, double value) {
  if (std::isinf(value)) {
    const char* text = value > 0 ? "inf" : "-inf";
    const size_t n = std::strlen(text);
    std::memcpy(dst, text, n + 1);
    return n;
  }
  // std::to_chars with chars_format::general and a precision is specified to match printf's
  // "%.*g" exactly, including "nan"/"-nan".
  const auto result =
      std::to_chars(dst, dst + kDoubleStrSize - 1, value, std::chars_format::general, 17);
  *result.ptr = '\0';
  return static_cast<size_t>(result.ptr - dst);
}

std::string format_double(double value) {
  char buf[kDoubleStrSize];
  const size_t n = format_double(buf, value);
  return std::string(buf, n);
}

}  // namespace protocol
