# Approvals by people with current rights: sentences of the approval checks (issue 11).
approval-groups-unavailable = { $chat } could not be asked which groups { $subject } is in now, so this is refused and nothing changed; try again when { $chat } answers.
approval-already-voted-as = You have already approved request { $id } as { $person }; one person gives one approval, whichever account they use.
approval-not-enough-people = Request { $id } has approvals from { $votes } people but needs { $needed }, so it will not run.
