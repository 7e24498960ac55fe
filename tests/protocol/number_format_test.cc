#include "protocol/number_format.h"

#include <gtest/gtest.h>

#include <climits>
#include <cmath>
#include <limits>
#include <string>

namespace protocol {
namespace {

std::string ll(long long v) {
  char buf[kLongLongStrSize];
  const size_t n = ll2string(buf, sizeof(buf), v);
  EXPECT_EQ(buf[n], '\0');
  return std::string(buf, n);
}

TEST(NumberFormatTest, Ll2String) {
  EXPECT_EQ(ll(0), "0");
  EXPECT_EQ(ll(7), "7");
  EXPECT_EQ(ll(10), "10");
  EXPECT_EQ(ll(99), "99");
  EXPECT_EQ(ll(100), "100");
  EXPECT_EQ(ll(-1), "-1");
  EXPECT_EQ(ll(-100), "-100");
  EXPECT_EQ(ll(1234567890123LL), "1234567890123");
  EXPECT_EQ(ll(LLONG_MAX), "9223372036854775807");
  EXPECT_EQ(ll(LLONG_MIN), "-9223372036854775808");
  for (long long v = -100000; v <= 100000; v += 7) EXPECT_EQ(ll(v), std::to_string(v));
}

TEST(NumberFormatTest, Ll2StringBufferTooSmall) {
  char buf[4];
  EXPECT_EQ(ll2string(buf, sizeof(buf), 123), 3u);
  EXPECT_EQ(ll2string(buf, sizeof(buf), 1234), 0u);
  EXPECT_EQ(ll2string(buf, sizeof(buf), -123), 0u);
  EXPECT_EQ(ll2string(buf, sizeof(buf), -12), 3u);
}

TEST(NumberFormatTest, String2llAccepts) {
  long long v = 0;
  EXPECT_TRUE(string2ll("0", &v));
  EXPECT_EQ(v, 0);
  EXPECT_TRUE(string2ll("-1", &v));
  EXPECT_EQ(v, -1);
  EXPECT_TRUE(string2ll("536870912", &v));
  EXPECT_EQ(v, 536870912);
  EXPECT_TRUE(string2ll("9223372036854775807", &v));
  EXPECT_EQ(v, LLONG_MAX);
  EXPECT_TRUE(string2ll("-9223372036854775808", &v));
  EXPECT_EQ(v, LLONG_MIN);
}

TEST(NumberFormatTest, String2llRejects) {
  long long v = 0;
  for (const char* text :
       {"", "-", "+1", "01", "-0", "00", " 1", "1 ", "1a", "0x10", "9223372036854775808",
        "-9223372036854775809", "99999999999999999999", "123456789012345678901"}) {
    EXPECT_FALSE(string2ll(text, &v)) << text;
  }
}

TEST(NumberFormatTest, FormatDoubleAsRedis70) {
  EXPECT_EQ(format_double(1.1), "1.1000000000000001");
  EXPECT_EQ(format_double(0.1), "0.10000000000000001");
  EXPECT_EQ(format_double(3.0), "3");
  EXPECT_EQ(format_double(-2.5), "-2.5");
  EXPECT_EQ(format_double(0.0), "0");
  EXPECT_EQ(format_double(-0.0), "-0");
  EXPECT_EQ(format_double(1e300), "1.0000000000000001e+300");
  EXPECT_EQ(format_double(1e17), "1e+17");
  EXPECT_EQ(format_double(123456789012345678.0), "1.2345678901234568e+17");
  EXPECT_EQ(format_double(5e-324), "4.9406564584124654e-324");
  EXPECT_EQ(format_double(std::numeric_limits<double>::infinity()), "inf");
  EXPECT_EQ(format_double(-std::numeric_limits<double>::infinity()), "-inf");
  EXPECT_EQ(format_double(std::nan("")), "nan");
  // Same text as printf's %.17g for a spread of values.
  for (double d : {1.0 / 3, 2.0 / 3, 1e-5, 123.456, -9.87654321e-100, 1e22, 4.35}) {
    char expected[64];
    snprintf(expected, sizeof(expected), "%.17g", d);
    EXPECT_EQ(format_double(d), expected);
  }
}

}  // namespace
}  // namespace protocol
