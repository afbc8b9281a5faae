#include "bgp/speaker/route_inbox.h"

#include <algorithm>

namespace halink::bgp {

size_t RouteInbox::cost_of(const Update& update) {
  size_t prefixes = update.withdrawn.prefixes.size() + update.nlri.prefixes.size() +
                    update.mp_withdrawn.prefixes.size() + update.mp_nlri.prefixes.size();
  return std::max<size_t>(prefixes, 1);
}

size_t RouteInbox::cost_of(const Entry& entry) {
  const auto* received = std::get_if<session::ReceivedUpdate>(&entry);
  return received ? cost_of(received->update) : 1;
}

void RouteInbox::push(session::ReceivedUpdate update) {
  update_prefixes_ += cost_of(update.update);
  entries_.push_back(std::move(update));
}

void RouteInbox::push(RouteRefresh marker) {
  update_prefixes_ += 1;
  entries_.push_back(marker);
}

std::optional<RouteInbox::Entry> RouteInbox::pop() {
  if (entries_.empty()) return std::nullopt;
  Entry front = std::move(entries_.front());
  entries_.pop_front();
  update_prefixes_ -= cost_of(front);
  return front;
}

void RouteInbox::clear() {
  entries_.clear();
  update_prefixes_ = 0;
}

}  // namespace halink::bgp
