// IPv4 and IPv6 addresses and prefixes.
//
// One value type per concept, both families in one type: routes of both
// families share the RIB, the decision process and the FIB code paths.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "core/result.h"

namespace halink {

enum class Family : uint8_t { ipv4 = 4, ipv6 = 6 };

constexpr int address_bits(Family f) { return f == Family::ipv4 ? 32 : 128; }
constexpr int address_bytes(Family f) { return f == Family::ipv4 ? 4 : 16; }
const char* family_name(Family f);  // "ipv4" / "ipv6"

class IpAddress {
public:
  IpAddress() = default;  // 0.0.0.0
  static IpAddress v4(uint32_t host_order);
  static IpAddress v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d);
  // `bytes` is in network order and exactly address_bytes(family) long.
  static IpAddress from_bytes(Family family, std::span<const uint8_t> bytes);
  static Result<IpAddress> parse(std::string_view text);

  Family family() const { return family_; }
  bool is_v4() const { return family_ == Family::ipv4; }
  bool is_v6() const { return family_ == Family::ipv6; }
  uint32_t v4_host_order() const;  // only for is_v4()
  // Network-order bytes; 4 or 16 of them are meaningful.
  std::span<const uint8_t> bytes() const { return {bytes_.data(), size_t(address_bytes(family_))}; }
  const std::array<uint8_t, 16>& raw() const { return bytes_; }

  bool is_unspecified() const;
  bool is_loopback() const;
  bool is_multicast() const;
  bool is_link_local() const;  // 169.254/16, fe80::/10

  bool bit(int index) const { return (bytes_[index / 8] >> (7 - index % 8)) & 1; }
  std::string to_string() const;

  auto operator<=>(const IpAddress&) const = default;

private:
  Family family_ = Family::ipv4;  // first: orders IPv4 before IPv6
  std::array<uint8_t, 16> bytes_{};
};

class Prefix {
public:
  Prefix() = default;
  // Host bits beyond `length` must be zero; see make_masked() otherwise.
  static Result<Prefix> make(IpAddress address, int length);
  // Clears host bits: the explicit "I know this is not canonical" path.
  static Prefix make_masked(IpAddress address, int length);
  // "10.1.0.0/16", "2001:db8::/32". Host bits set is an error that names the
  // canonical form; parse_masked() accepts and clears them.
  static Result<Prefix> parse(std::string_view text);
  static Result<Prefix> parse_masked(std::string_view text);

  const IpAddress& address() const { return address_; }
  int length() const { return length_; }
  Family family() const { return address_.family(); }
  bool is_host() const { return length_ == address_bits(family()); }

  bool contains(const IpAddress& a) const;
  bool contains(const Prefix& p) const;  // p is equal to or more specific than *this
  std::string to_string() const;

  auto operator<=>(const Prefix&) const = default;

private:
  IpAddress address_;
  uint8_t length_ = 0;
};

}  // namespace halink

template <>
struct std::hash<halink::IpAddress> {
  size_t operator()(const halink::IpAddress& a) const noexcept;
};
template <>
struct std::hash<halink::Prefix> {
  size_t operator()(const halink::Prefix& p) const noexcept;
};
