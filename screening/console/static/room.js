"use strict";
// The room's shared work on an alert, where the server offers it: nothing yet.
export const room = {
  start() {},
  listen() {},
  snapshot() {},
  stepTaken() {},
  answered() {},
  pendingState: () => null,
  next: (a, steps) => steps,
  rowNotes: () => [],
  detailParts: () => [],
  reasonPicker: () => [],
  chosenReason: () => null,
  caseParts: () => [],
  shortcut: () => false,
};
