#include "sim/flow_hash.h"

#include <cstring>

#include "sim/random.h"

namespace halink::sim {

uint32_t flow_hash(const FiveTuple& tuple, uint64_t seed) {
  uint64_t h = mix64(seed ^ 0x68616c696e6bULL);  // "halink"
  for (const IpAddress* address : {&tuple.source, &tuple.destination}) {
    const auto& raw = address->raw();
    uint64_t words[2];
    std::memcpy(words, raw.data(), sizeof words);
    h = mix64(h ^ words[0] ^ static_cast<uint64_t>(address->family()));
    h = mix64(h ^ words[1]);
  }
  h = mix64(h ^ (uint64_t{tuple.protocol} << 32 | uint64_t{tuple.source_port} << 16 | tuple.destination_port));
  return static_cast<uint32_t>(h >> 33);
}

size_t select_by_hash_threshold(uint32_t hash, std::span<const uint32_t> weights) {
  uint64_t total = 0;
  for (uint32_t w : weights) total += w;
  if (total == 0) return weights.size();
  uint64_t cumulative = 0;
  size_t last_eligible = weights.size();
  for (size_t i = 0; i < weights.size(); ++i) {
    if (weights[i] == 0) continue;
    cumulative += weights[i];
    last_eligible = i;
    // Upper bound of region i, rounded to the closest value like the kernel's
    // DIV_ROUND_CLOSEST_ULL((u64)w << 31, total) - 1.
    const uint64_t upper = ((cumulative << 31) + total / 2) / total - 1;
    if (hash <= upper) return i;
  }
  return last_eligible;
}

}  // namespace halink::sim
