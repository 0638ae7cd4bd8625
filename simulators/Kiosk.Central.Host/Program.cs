using Kiosk.Central.CommandLine;

return await CentralConsole.RunAsync(args);
