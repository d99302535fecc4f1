// Filled in by the schedule-utils work; see the package README for the contract.
export {};
