using Kiosk.Fuzz.Harness;

return FuzzCommandLine.Run(args);
