#include "bgp/speaker/route_inbox.h"

#include <algorithm>

namespace halink::bgp {

size_t RouteInbox::cost_of(const Update& update) {
  size_t prefixes = update.withdrawn.prefixes.size() + update.nlri.prefixes.size() +
                    update.mp_withdrawn.prefixes.size() + update.mp_nlri.prefixes.size();
  return std::max<size_t>(prefixes, 1);
}

void RouteInbox::push(session::ReceivedUpdate update) {
  update_prefixes_ += cost_of(update.update);
  updates_.push_back(std::move(update));
}

std::optional<session::ReceivedUpdate> RouteInbox::pop_update() {
  if (updates_.empty()) return std::nullopt;
  session::ReceivedUpdate front = std::move(updates_.front());
  updates_.pop_front();
  update_prefixes_ -= cost_of(front.update);
  return front;
}

void RouteInbox::clear() {
  updates_.clear();
  update_prefixes_ = 0;
}

}  // namespace halink::bgp
