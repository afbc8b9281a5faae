// Prefix lists on the wire: length octet, then just enough address octets.
//
// Decoding is the hot path of the codec (a full table is millions of
// prefixes), so it runs in two passes: the first validates the field and
// counts prefixes, the second fills an exactly reserved vector without checks.
#include "bgp/wire/nlri_codec.h"

#include <array>
#include <cstring>

namespace halink::bgp::wire {

std::string decode_prefixes(std::span<const uint8_t> bytes, Family family, bool add_path, NlriList& out) {
  const size_t size = bytes.size();
  const uint8_t* data = bytes.data();
  const unsigned max_length = unsigned(address_bits(family));
  const size_t path_id_size = add_path ? 4 : 0;

  size_t count = 0;
  for (size_t pos = 0; pos < size;) {
    if (size - pos < path_id_size + 1) return "truncated prefix at offset " + std::to_string(pos);
    unsigned length = data[pos + path_id_size];
    if (length > max_length)
      return "prefix length " + std::to_string(length) + " exceeds " + std::to_string(max_length);
    size_t step = path_id_size + 1 + (length + 7) / 8;
    if (size - pos < step) return "prefix overruns the field at offset " + std::to_string(pos);
    pos += step;
    ++count;
  }

  out.prefixes.reserve(out.prefixes.size() + count);
  if (add_path) out.path_ids.reserve(out.path_ids.size() + count);
  for (size_t pos = 0; pos < size;) {
    if (add_path) {
      out.path_ids.push_back(uint32_t(data[pos]) << 24 | uint32_t(data[pos + 1]) << 16 |
                             uint32_t(data[pos + 2]) << 8 | data[pos + 3]);
      pos += 4;
    }
    unsigned length = data[pos++];
    size_t octets = (length + 7) / 8;
    if (family == Family::ipv4) {
      uint32_t address = 0;
      for (size_t k = 0; k < octets; ++k) address |= uint32_t(data[pos + k]) << (24 - 8 * k);
      // The trailing bits "are irrelevant" (RFC 4271 §4.3): clear them.
      if (length < 32) address &= length == 0 ? 0 : ~uint32_t(0) << (32 - length);
      out.prefixes.push_back(Prefix::make_masked(IpAddress::v4(address), int(length)));
    } else {
      std::array<uint8_t, 16> address{};
      std::memcpy(address.data(), data + pos, octets);
      out.prefixes.push_back(Prefix::make_masked(IpAddress::from_bytes(Family::ipv6, address), int(length)));
    }
    pos += octets;
  }
  return {};
}

void encode_prefixes(const NlriList& list, bool add_path, std::vector<uint8_t>& out) {
  for (size_t i = 0; i < list.prefixes.size(); ++i) {
    const Prefix& p = list.prefixes[i];
    if (add_path) {
      uint32_t id = i < list.path_ids.size() ? list.path_ids[i] : 0;
      out.push_back(uint8_t(id >> 24));
      out.push_back(uint8_t(id >> 16));
      out.push_back(uint8_t(id >> 8));
      out.push_back(uint8_t(id));
    }
    out.push_back(uint8_t(p.length()));
    auto bytes = p.address().bytes();
    out.insert(out.end(), bytes.begin(), bytes.begin() + (p.length() + 7) / 8);
  }
}

}  // namespace halink::bgp::wire
