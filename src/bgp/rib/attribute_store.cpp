#include "bgp/rib/attribute_store.h"

#include <cassert>
#include <utility>

namespace halink::bgp {

DecisionKey DecisionKey::of(const PathAttributes& attrs) {
  DecisionKey key;
  key.has_local_pref = attrs.local_pref.has_value();
  key.local_pref = attrs.local_pref.value_or(0);
  if (attrs.as_path) {
    key.as_path_length = static_cast<uint32_t>(attrs.as_path->decision_length());
    key.neighbor_as = attrs.as_path->neighbor_as();
  }
  // A missing ORIGIN is a malformed UPDATE (RFC 4271 §6.3) that the codec
  // rejects; locally built sets without one rank as INCOMPLETE.
  key.origin = attrs.origin.value_or(Origin::incomplete);
  key.has_med = attrs.med.has_value();
  key.med = attrs.med.value_or(0);
  key.has_originator_id = attrs.originator_id.has_value();
  key.originator_id = attrs.originator_id.value_or(0);
  key.cluster_list_length = static_cast<uint32_t>(attrs.cluster_list.size());
  return key;
}

AttributeStore::~AttributeStore() {
  // Sets still referenced (e.g. by a RIB destroyed after the store) detach
  // and are freed by their last reference.
  table_.for_each([](Slot& slot) { slot.set->store = nullptr; });
}

AttrSetRef AttributeStore::intern(const PathAttributes& attrs) { return intern_impl(attrs); }
AttrSetRef AttributeStore::intern(PathAttributes&& attrs) { return intern_impl(std::move(attrs)); }

template <class Attrs>
AttrSetRef AttributeStore::intern_impl(Attrs&& attrs) {
  const uint64_t hash = attrs.hash();
  auto [slot, inserted] = table_.find_or_insert(
      hash, [&](const Slot& s) { return s.hash == hash && s.set->attributes == attrs; });
  if (inserted) {
    auto* set = new AttrSet{std::forward<Attrs>(attrs), {}, hash, 0, this};
    set->decision = DecisionKey::of(set->attributes);
    *slot = Slot{set, hash};
  }
  return AttrSetRef(slot->set);
}

void AttributeStore::erase(AttrSet* set) {
  Slot* slot = table_.find(set->hash, [set](const Slot& candidate) { return candidate.set == set; });
  assert(slot);
  table_.erase(slot);
  delete set;
}

}  // namespace halink::bgp
