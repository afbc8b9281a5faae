// Monotonic time for sans-IO protocol cores.
//
// Cores never read a clock: every input carries `now`, and every timer is a
// Time the caller compares against. Resolution is one nanosecond so that a
// simulator and the runtime drive the same code with the same arithmetic.
#pragma once

#include <compare>
#include <cstdint>
#include <limits>
#include <string>

namespace halink {

class Duration {
public:
  constexpr Duration() = default;
  static constexpr Duration nanoseconds(int64_t n) { return Duration(n); }
  static constexpr Duration microseconds(int64_t n) { return Duration(n * 1'000); }
  static constexpr Duration milliseconds(int64_t n) { return Duration(n * 1'000'000); }
  static constexpr Duration seconds(int64_t n) { return Duration(n * 1'000'000'000); }
  static constexpr Duration zero() { return Duration(0); }
  static constexpr Duration infinite() { return Duration(std::numeric_limits<int64_t>::max()); }

  constexpr int64_t ns() const { return ns_; }
  constexpr int64_t us() const { return ns_ / 1'000; }
  constexpr int64_t ms() const { return ns_ / 1'000'000; }
  constexpr int64_t s() const { return ns_ / 1'000'000'000; }
  constexpr double seconds_f() const { return static_cast<double>(ns_) / 1e9; }
  constexpr bool is_zero() const { return ns_ == 0; }

  constexpr Duration operator+(Duration o) const { return Duration(ns_ + o.ns_); }
  constexpr Duration operator-(Duration o) const { return Duration(ns_ - o.ns_); }
  constexpr Duration operator*(int64_t k) const { return Duration(ns_ * k); }
  constexpr Duration operator/(int64_t k) const { return Duration(ns_ / k); }
  constexpr Duration& operator+=(Duration o) { ns_ += o.ns_; return *this; }
  constexpr Duration& operator-=(Duration o) { ns_ -= o.ns_; return *this; }
  constexpr auto operator<=>(const Duration&) const = default;

  // Scales by a factor in [0, 1+], used for timer jitter (RFC 4271 §10, RFC 5880 §6.8.7).
  constexpr Duration scaled(double factor) const {
    return Duration(static_cast<int64_t>(static_cast<double>(ns_) * factor));
  }

  // "1.250s", "80ms", "0s": short and unambiguous for logs and tables.
  std::string to_string() const;

private:
  constexpr explicit Duration(int64_t ns) : ns_(ns) {}
  int64_t ns_ = 0;
};

// A point on a monotonic clock whose epoch is the caller's business
// (CLOCK_MONOTONIC in halinkd, zero at simulation start in the simulator).
class Time {
public:
  constexpr Time() = default;
  static constexpr Time from_ns(int64_t ns) { return Time(ns); }
  static constexpr Time never() { return Time(std::numeric_limits<int64_t>::max()); }
  static constexpr Time zero() { return Time(0); }

  constexpr int64_t ns() const { return ns_; }
  constexpr bool is_never() const { return ns_ == std::numeric_limits<int64_t>::max(); }

  constexpr Time operator+(Duration d) const {
    if (is_never() || d == Duration::infinite()) return never();
    return Time(ns_ + d.ns());
  }
  constexpr Time operator-(Duration d) const { return Time(ns_ - d.ns()); }
  constexpr Duration operator-(Time o) const { return Duration::nanoseconds(ns_ - o.ns_); }
  constexpr auto operator<=>(const Time&) const = default;

private:
  constexpr explicit Time(int64_t ns) : ns_(ns) {}
  int64_t ns_ = 0;
};

constexpr Time earliest(Time a, Time b) { return a < b ? a : b; }

}  // namespace halink
