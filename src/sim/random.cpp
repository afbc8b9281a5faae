#include "sim/random.h"

namespace halink::sim {

uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t splitmix64(uint64_t& state) {
  state += 0x9e3779b97f4a7c15ULL;
  return mix64(state);
}

namespace {
uint64_t rotate_left(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
}  // namespace

Random::Random(uint64_t seed) : seed_(seed) {
  uint64_t s = seed;
  for (auto& word : state_) word = splitmix64(s);
}

// xoshiro256** (Blackman and Vigna, 2018).
uint64_t Random::next_u64() {
  const uint64_t result = rotate_left(state_[1] * 5, 7) * 9;
  const uint64_t t = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= t;
  state_[3] = rotate_left(state_[3], 45);
  return result;
}

double Random::uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

uint64_t Random::below(uint64_t bound) {
  if (bound == 0) return 0;
  // Rejection sampling: no modulo bias, still a fixed recipe.
  const uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
  uint64_t value;
  do value = next_u64();
  while (value >= limit);
  return value % bound;
}

Random Random::fork(uint64_t stream) const { return Random(mix64(seed_ ^ mix64(stream + 0x5eedULL))); }

}  // namespace halink::sim
