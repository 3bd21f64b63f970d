namespace Foundry.Engine.Tests;
