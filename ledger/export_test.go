package ledger

// ConsumptionOrder is the order debits consume lots in, for the tests'
// model of a store's index.
var ConsumptionOrder = consumptionOrder
