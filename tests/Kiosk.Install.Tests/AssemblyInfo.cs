// Tests spend most of their time waiting for pwsh and the processes it starts.
[assembly: LevelOfParallelism(3)]
