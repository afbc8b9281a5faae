// Prefix lists on the wire (RFC 4271 §4.3 "NLRI", RFC 4760 §5, ADD-PATH
// RFC 7911 §3). Internal to src/bgp/wire.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "bgp/wire/message.h"

namespace halink::bgp::wire {

// Appends every prefix in `bytes` to `out`. Returns an empty string on
// success, else what was wrong (a length beyond the family, or a prefix
// overrunning the field) — RFC 7606 §5.3 makes either a session reset.
std::string decode_prefixes(std::span<const uint8_t> bytes, Family family, bool add_path, NlriList& out);

void encode_prefixes(const NlriList& list, bool add_path, std::vector<uint8_t>& out);

// Octets one prefix takes on the wire.
inline size_t encoded_prefix_size(const Prefix& p, bool add_path) {
  return (add_path ? 4 : 0) + 1 + size_t(p.length() + 7) / 8;
}

inline bool contains(const std::vector<AfiSafi>& families, AfiSafi f) {
  for (const auto& x : families)
    if (x == f) return true;
  return false;
}

}  // namespace halink::bgp::wire
