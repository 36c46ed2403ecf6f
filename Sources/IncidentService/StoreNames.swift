// The module IncidentStore declares a class of the same name, so its other types cannot be
// spelled `IncidentStore.X`. This file imports only the store, where `InboundEvent` is
// unambiguous, and names it for the rest of the module.
import IncidentStore

typealias StoreInboundEvent = InboundEvent
