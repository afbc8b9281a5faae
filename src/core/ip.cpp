#include "core/ip.h"

#include <cstring>
#include <string>

namespace halink {
namespace {

// Text parsing is done here rather than with inet_pton: the sans-IO folders
// must not include socket headers, and the errors should say what is wrong.

bool parse_v4(std::string_view s, std::array<uint8_t, 16>& out) {
  int part = 0;
  size_t i = 0;
  while (part < 4) {
    if (i >= s.size() || s[i] < '0' || s[i] > '9') return false;
    unsigned value = 0;
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      value = value * 10 + unsigned(s[i] - '0');
      if (value > 255 || i - start >= 3) return false;
      ++i;
    }
    if (i - start > 1 && s[start] == '0') return false;  // no octal-looking octets
    out[part++] = uint8_t(value);
    if (part < 4) {
      if (i >= s.size() || s[i] != '.') return false;
      ++i;
    }
  }
  return i == s.size();
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// RFC 4291 §2.2 text forms, including "::" and a trailing dotted IPv4.
bool parse_v6(std::string_view s, std::array<uint8_t, 16>& out) {
  uint16_t groups[8] = {};
  int count = 0;
  int gap = -1;  // index in groups where "::" sits
  size_t i = 0;
  if (s.size() >= 2 && s[0] == ':' && s[1] == ':') {
    gap = 0;
    i = 2;
    if (i == s.size()) {
      out.fill(0);
      return true;
    }
  } else if (!s.empty() && s[0] == ':') {
    return false;
  }
  while (i < s.size()) {
    if (count == 8) return false;
    // A dotted IPv4 tail takes the last two groups.
    size_t end = s.find(':', i);
    std::string_view piece = s.substr(i, end == std::string_view::npos ? std::string_view::npos : end - i);
    if (end == std::string_view::npos && piece.find('.') != std::string_view::npos) {
      std::array<uint8_t, 16> v4{};
      if (count > 6 || !parse_v4(piece, v4)) return false;
      groups[count++] = uint16_t(v4[0] << 8 | v4[1]);
      groups[count++] = uint16_t(v4[2] << 8 | v4[3]);
      i = s.size();
      break;
    }
    if (piece.empty() || piece.size() > 4) return false;
    unsigned value = 0;
    for (char c : piece) {
      int h = hex_value(c);
      if (h < 0) return false;
      value = value << 4 | unsigned(h);
    }
    groups[count++] = uint16_t(value);
    i += piece.size();
    if (i == s.size()) break;
    ++i;  // the ':'
    if (i < s.size() && s[i] == ':') {
      if (gap >= 0) return false;  // only one "::"
      gap = count;
      ++i;
      if (i == s.size()) break;
    } else if (i == s.size()) {
      return false;  // trailing single ':'
    }
  }
  if (gap < 0 && count != 8) return false;
  if (gap >= 0 && count == 8) return false;
  uint16_t full[8] = {};
  if (gap < 0) {
    std::memcpy(full, groups, sizeof full);
  } else {
    int tail = count - gap;
    for (int k = 0; k < gap; ++k) full[k] = groups[k];
    for (int k = 0; k < tail; ++k) full[8 - tail + k] = groups[gap + k];
  }
  for (int k = 0; k < 8; ++k) {
    out[2 * k] = uint8_t(full[k] >> 8);
    out[2 * k + 1] = uint8_t(full[k]);
  }
  return true;
}

}  // namespace

const char* family_name(Family f) { return f == Family::ipv4 ? "ipv4" : "ipv6"; }

IpAddress IpAddress::v4(uint32_t host_order) {
  IpAddress a;
  a.bytes_[0] = uint8_t(host_order >> 24);
  a.bytes_[1] = uint8_t(host_order >> 16);
  a.bytes_[2] = uint8_t(host_order >> 8);
  a.bytes_[3] = uint8_t(host_order);
  return a;
}

IpAddress IpAddress::v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  return v4(uint32_t(a) << 24 | uint32_t(b) << 16 | uint32_t(c) << 8 | d);
}

IpAddress IpAddress::from_bytes(Family family, std::span<const uint8_t> bytes) {
  IpAddress a;
  a.family_ = family;
  std::memcpy(a.bytes_.data(), bytes.data(), size_t(address_bytes(family)));
  return a;
}

Result<IpAddress> IpAddress::parse(std::string_view text) {
  IpAddress a;
  if (text.find(':') != std::string_view::npos) {
    a.family_ = Family::ipv6;
    if (!parse_v6(text, a.bytes_)) return Error{"invalid IPv6 address '" + std::string(text) + "'"};
  } else if (!parse_v4(text, a.bytes_)) {
    return Error{"invalid IPv4 address '" + std::string(text) + "'"};
  }
  return a;
}

uint32_t IpAddress::v4_host_order() const {
  return uint32_t(bytes_[0]) << 24 | uint32_t(bytes_[1]) << 16 | uint32_t(bytes_[2]) << 8 | bytes_[3];
}

bool IpAddress::is_unspecified() const {
  for (uint8_t b : bytes()) if (b) return false;
  return true;
}

bool IpAddress::is_loopback() const {
  if (is_v4()) return bytes_[0] == 127;
  for (int i = 0; i < 15; ++i) if (bytes_[i]) return false;
  return bytes_[15] == 1;
}

bool IpAddress::is_multicast() const { return is_v4() ? (bytes_[0] & 0xf0) == 0xe0 : bytes_[0] == 0xff; }

bool IpAddress::is_link_local() const {
  if (is_v4()) return bytes_[0] == 169 && bytes_[1] == 254;
  return bytes_[0] == 0xfe && (bytes_[1] & 0xc0) == 0x80;
}

std::string IpAddress::to_string() const {
  char buf[64];
  if (is_v4()) {
    std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", bytes_[0], bytes_[1], bytes_[2], bytes_[3]);
    return buf;
  }
  // RFC 5952: lower case, longest run (>= 2) of zero groups becomes "::".
  uint16_t g[8];
  for (int k = 0; k < 8; ++k) g[k] = uint16_t(bytes_[2 * k] << 8 | bytes_[2 * k + 1]);
  int best_start = -1, best_len = 0;
  for (int k = 0; k < 8;) {
    if (g[k] != 0) { ++k; continue; }
    int start = k;
    while (k < 8 && g[k] == 0) ++k;
    if (k - start > best_len) { best_start = start; best_len = k - start; }
  }
  if (best_len < 2) best_start = -1;
  std::string out;
  for (int k = 0; k < 8; ++k) {
    if (k == best_start) {
      out += "::";
      k += best_len - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out += ':';
    std::snprintf(buf, sizeof buf, "%x", g[k]);
    out += buf;
  }
  return out;
}

Result<Prefix> Prefix::make(IpAddress address, int length) {
  if (length < 0 || length > address_bits(address.family()))
    return Error{"prefix length " + std::to_string(length) + " out of range for " + family_name(address.family())};
  Prefix p = make_masked(address, length);
  if (p.address_ != address)
    return Error{"host bits set in " + address.to_string() + "/" + std::to_string(length) + " (did you mean " +
                 p.to_string() + "?)"};
  return p;
}

Prefix Prefix::make_masked(IpAddress address, int length) {
  std::array<uint8_t, 16> b = address.raw();
  int bits = address_bits(address.family());
  if (length < 0) length = 0;
  if (length > bits) length = bits;
  // Byte-wise: this runs once per decoded NLRI, so it is on the hot path.
  int full = length / 8;
  if (full < bits / 8) {
    b[full] &= uint8_t(0xff00 >> (length % 8));
    for (int i = full + 1; i < bits / 8; ++i) b[i] = 0;
  }
  Prefix p;
  p.address_ = IpAddress::from_bytes(address.family(), {b.data(), size_t(address_bytes(address.family()))});
  p.length_ = uint8_t(length);
  return p;
}

namespace {
Result<std::pair<IpAddress, int>> split_prefix(std::string_view text) {
  size_t slash = text.find('/');
  if (slash == std::string_view::npos) return Error{"prefix '" + std::string(text) + "' has no /length"};
  auto address = IpAddress::parse(text.substr(0, slash));
  if (!address) return address.error();
  std::string_view len = text.substr(slash + 1);
  if (len.empty() || len.size() > 3) return Error{"invalid prefix length in '" + std::string(text) + "'"};
  int length = 0;
  for (char c : len) {
    if (c < '0' || c > '9') return Error{"invalid prefix length in '" + std::string(text) + "'"};
    length = length * 10 + (c - '0');
  }
  if (length > address_bits(address->family()))
    return Error{"prefix length " + std::to_string(length) + " too long in '" + std::string(text) + "'"};
  return std::pair{*address, length};
}
}  // namespace

Result<Prefix> Prefix::parse(std::string_view text) {
  auto parts = split_prefix(text);
  if (!parts) return parts.error();
  return make(parts->first, parts->second);
}

Result<Prefix> Prefix::parse_masked(std::string_view text) {
  auto parts = split_prefix(text);
  if (!parts) return parts.error();
  return make_masked(parts->first, parts->second);
}

bool Prefix::contains(const IpAddress& a) const {
  if (a.family() != family()) return false;
  return make_masked(a, length_).address_ == address_;
}

bool Prefix::contains(const Prefix& p) const {
  return p.family() == family() && p.length_ >= length_ && contains(p.address_);
}

std::string Prefix::to_string() const { return address_.to_string() + "/" + std::to_string(length_); }

}  // namespace halink

size_t std::hash<halink::IpAddress>::operator()(const halink::IpAddress& a) const noexcept {
  // FNV-1a over the meaningful bytes; addresses are short, this is enough.
  uint64_t h = 1469598103934665603ull ^ uint64_t(a.family());
  for (uint8_t b : a.bytes()) h = (h ^ b) * 1099511628211ull;
  return size_t(h);
}

size_t std::hash<halink::Prefix>::operator()(const halink::Prefix& p) const noexcept {
  return std::hash<halink::IpAddress>{}(p.address()) * 31 + size_t(p.length());
}
