// The blank popup's one job: say when it could take input, as ToolKey's popup marks it.
performance.mark("bench:interactive");
