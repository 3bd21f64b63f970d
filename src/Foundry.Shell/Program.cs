using Foundry.Shell;

return await ShellCommand.RunAsync(args);
