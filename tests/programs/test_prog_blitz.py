"""The 60-minute blitz and the 'Learn the Basics' pages (tensors, autograd, LeNet, a classifier, Build the Neural
Network, Datasets & DataLoaders, Optimizing model parameters), on random data, on torch and on ember."""
import numpy as np
import pytest

from _harness import run_both


def blitz_tensors(torch, show):
    data = [[1, 2], [3, 4]]
    x_data = torch.tensor(data)
    np_array = np.array(data)
    x_np = torch.from_numpy(np_array)
    print(x_np, x_np.dtype)
    x_ones = torch.ones_like(x_data)
    print(f"Ones Tensor: \n {x_ones} \n")
    x_rand = torch.rand_like(x_data, dtype=torch.float)
    show("rand_like", (x_rand.shape, x_rand.dtype))
    tensor = torch.from_numpy(show.array(3, 4))
    print(f"Shape of tensor: {tensor.shape}")
    print(f"Datatype of tensor: {tensor.dtype}")
    print(f"Device tensor is stored on: {tensor.device}")
    device = "cuda" if torch.cuda.is_available() else "cpu"
    tensor = tensor.to(device)
    print(device, tensor.is_cuda)
    tensor = torch.ones(4, 4)
    print(f"First row: {tensor[0]}")
    print(f"First column: {tensor[:, 0]}")
    print(f"Last column: {tensor[..., -1]}")
    tensor[:, 1] = 0
    print(tensor)
    t1 = torch.cat([tensor, tensor, tensor], dim=1)
    print(t1, t1.shape)
    print(torch.stack([tensor[0], tensor[1]]), torch.stack([tensor[0], tensor[1]], dim=1).shape)
    y1 = tensor @ tensor.T
    y2 = tensor.matmul(tensor.T)
    y3 = torch.rand_like(y1)
    torch.matmul(tensor, tensor.T, out=y3)
    print(y1, y2.equal(y3))
    z1 = tensor * tensor
    z3 = torch.rand_like(tensor)
    torch.mul(tensor, tensor, out=z3)
    print(z1.equal(z3))
    agg = tensor.sum()
    agg_item = agg.item()
    print(agg_item, type(agg_item))
    print(f"{tensor} \n")
    tensor.add_(5)
    print(tensor)
    t = torch.ones(5)
    print(f"t: {t}")
    n = t.numpy()
    print(f"n: {n}")
    t.add_(1)
    print(f"t: {t}")
    print(f"n: {n}")
    n = np.ones(5)
    t = torch.from_numpy(n)
    np.add(n, 1, out=n)
    print(f"t: {t}")
    print(f"n: {n}")
    x = torch.from_numpy(show.array(4, 4))
    print(x.view(16).shape, x.view(-1, 8).size(), x.size(1), x.reshape(2, -1).shape, x.numel(), x.dim())
    print(torch.tensor([[1, 2, 3]]).T, torch.tensor([1, 2, 3]).tolist(), torch.zeros(2, 3, dtype=torch.long))
    print(x.new_ones(2, 2), torch.tensor(5.5).item(), torch.tensor([1.0]).item())
    show("x.t()", x.t())
    show("chunk", torch.arange(10).chunk(3))
    show("split", torch.arange(10).split([3, 7]))
    print(torch.arange(10).float().max(), torch.where(torch.arange(5) > 2, 1.0, 0.0))
    show("clamp/abs/neg", (x.clamp(-0.5, 0.5), x.abs(), -x))
    print(x.squeeze().shape, x.unsqueeze(0).shape, x.permute(1, 0).is_contiguous(), x.flatten().shape)


def blitz_autograd(torch, show):
    x = torch.ones(2, 2, requires_grad=True)
    print(x)
    y = x + 2
    print(y)
    print(y.grad_fn)  if False else print(type(y.grad_fn).__name__)
    z = y * y * 3
    out = z.mean()
    print(z, out)
    a = torch.tensor([[2.0, -1.0], [0.5, 3.0]])
    a = ((a * 3) / (a - 1))
    print(a.requires_grad)
    a.requires_grad_(True)
    print(a.requires_grad)
    b = (a * a).sum()
    print(b.grad_fn.name())
    out.backward()
    print(x.grad)
    x = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
    y = x * 2
    while y.data.norm() < 1000:
        y = y * 2
    print(y)
    v = torch.tensor([0.1, 1.0, 0.0001], dtype=torch.float)
    y.backward(v)
    print(x.grad)
    print(x.requires_grad)
    print((x ** 2).requires_grad)
    with torch.no_grad():
        print((x ** 2).requires_grad)
    y = x.detach()
    print(y.requires_grad)
    print(x.eq(y).all())
    a = torch.tensor([2.0, 3.0], requires_grad=True)
    b = torch.tensor([6.0, 4.0], requires_grad=True)
    Q = 3 * a ** 3 - b ** 2
    external_grad = torch.tensor([1.0, 1.0])
    Q.backward(gradient=external_grad)
    print(9 * a ** 2 == a.grad)
    print(-2 * b == b.grad)
    print(Q)


def _lenet(torch):
    nn = torch.nn
    F = torch.nn.functional

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 6, 5)
            self.conv2 = nn.Conv2d(6, 16, 5)
            self.fc1 = nn.Linear(16 * 5 * 5, 120)
            self.fc2 = nn.Linear(120, 84)
            self.fc3 = nn.Linear(84, 10)

        def forward(self, input):
            c1 = F.relu(self.conv1(input))
            s2 = F.max_pool2d(c1, (2, 2))
            c3 = F.relu(self.conv2(s2))
            s4 = F.max_pool2d(c3, 2)
            s4 = torch.flatten(s4, 1)
            f5 = F.relu(self.fc1(s4))
            f6 = F.relu(self.fc2(f5))
            return self.fc3(f6)

    return Net()


def blitz_neural_networks(torch, show):
    net = show.same_init(_lenet(torch))
    print(net)
    params = list(net.parameters())
    print(len(params), params[0].size())
    input = torch.from_numpy(show.array(1, 1, 32, 32))
    out = net(input)
    show("out", out, repr=False)
    print(out.grad_fn.name())
    net.zero_grad()
    out.backward(torch.from_numpy(show.array(1, 10)))
    show("conv1.bias.grad", net.conv1.bias.grad, repr=False)
    output = net(input)
    target = torch.from_numpy(show.array(10)).view(1, -1)
    criterion = torch.nn.MSELoss()
    loss = criterion(output, target)
    show("loss", loss, repr=False)
    print(loss.grad_fn)  if False else print(loss.grad_fn.name())
    print([type(f).__name__ for f, _ in loss.grad_fn.next_functions])
    print(type(loss.grad_fn.next_functions[0][0].next_functions[0][0]).__name__)
    net.zero_grad()
    print("conv1.bias.grad before backward", net.conv1.bias.grad)
    loss.backward()
    show("conv1.bias.grad after backward", net.conv1.bias.grad, rtol=1e-3, atol=1e-6, repr=False)
    learning_rate = 0.01
    for f in net.parameters():
        f.data.sub_(f.grad.data * learning_rate)
    optimizer = torch.optim.SGD(net.parameters(), lr=0.01)
    optimizer.zero_grad()
    output = net(input)
    loss = criterion(output, target)
    loss.backward()
    optimizer.step()
    show("loss after step", loss.item(), rtol=1e-4)
    show("fc3 weight", net.fc3.weight, rtol=1e-4, atol=1e-6, repr=False)


def blitz_classifier(torch, show):
    nn = torch.nn
    F = torch.nn.functional

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(3, 6, 5)
            self.pool = nn.MaxPool2d(2, 2)
            self.conv2 = nn.Conv2d(6, 16, 5)
            self.fc1 = nn.Linear(16 * 5 * 5, 120)
            self.fc2 = nn.Linear(120, 84)
            self.fc3 = nn.Linear(84, 10)

        def forward(self, x):
            x = self.pool(F.relu(self.conv1(x)))
            x = self.pool(F.relu(self.conv2(x)))
            x = torch.flatten(x, 1)
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            return self.fc3(x)

    images = show.array(16, 3, 32, 32)
    labels = show.rng.integers(0, 10, size=16)
    trainset = torch.utils.data.TensorDataset(torch.from_numpy(images), torch.from_numpy(labels))
    trainloader = torch.utils.data.DataLoader(trainset, batch_size=4, shuffle=False, num_workers=0)
    classes = ('plane', 'car', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck')
    net = show.same_init(Net())
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(net.parameters(), lr=0.001, momentum=0.9)
    for epoch in range(2):
        running_loss = 0.0
        for i, data in enumerate(trainloader, 0):
            inputs, labels_b = data
            optimizer.zero_grad()
            outputs = net(inputs)
            loss = criterion(outputs, labels_b)
            loss.backward()
            optimizer.step()
            running_loss += loss.item()
        show(f"epoch {epoch} loss", running_loss / len(trainloader), rtol=1e-4)
    print('Finished Training')
    dataiter = iter(trainloader)
    images_b, labels_b = next(dataiter)
    print('GroundTruth: ', ' '.join(f'{classes[labels_b[j]]:5s}' for j in range(4)))
    outputs = net(images_b)
    _, predicted = torch.max(outputs, 1)
    show("predicted", predicted)
    correct = 0
    total = 0
    with torch.no_grad():
        for data in trainloader:
            images_b, labels_b = data
            outputs = net(images_b)
            _, predicted = torch.max(outputs.data, 1)
            total += labels_b.size(0)
            correct += (predicted == labels_b).sum().item()
    print(f'Accuracy of the network on the {total} images: {100 * correct // total} %')
    correct_pred = {classname: 0 for classname in classes}
    with torch.no_grad():
        for images_b, labels_b in trainloader:
            _, predictions = torch.max(net(images_b), 1)
            for label, prediction in zip(labels_b, predictions):
                if label == prediction:
                    correct_pred[classes[label]] += 1
    show("per class", correct_pred)


def build_the_network(torch, show):
    nn = torch.nn
    device = torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"
    print(f"Using {device} device")

    class NeuralNetwork(nn.Module):
        def __init__(self):
            super().__init__()
            self.flatten = nn.Flatten()
            self.linear_relu_stack = nn.Sequential(
                nn.Linear(28 * 28, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))

        def forward(self, x):
            x = self.flatten(x)
            return self.linear_relu_stack(x)

    model = show.same_init(NeuralNetwork().to(device))
    print(model)
    X = torch.from_numpy(show.array(1, 28, 28, low=0.0))
    logits = model(X)
    pred_probab = nn.Softmax(dim=1)(logits)
    y_pred = pred_probab.argmax(1)
    print(f"Predicted class: {y_pred}")
    input_image = torch.from_numpy(show.array(3, 28, 28))
    print(input_image.size())
    flatten = nn.Flatten()
    flat_image = flatten(input_image)
    print(flat_image.size())
    layer1 = show.same_init(nn.Linear(in_features=28 * 28, out_features=20))
    hidden1 = layer1(flat_image)
    print(hidden1.size())
    show("before relu", hidden1, repr=False)
    hidden1 = nn.ReLU()(hidden1)
    show("after relu", hidden1, repr=False)
    seq_modules = show.same_init(nn.Sequential(flatten, layer1, nn.ReLU(), nn.Linear(20, 10)))
    logits = seq_modules(input_image)
    softmax = nn.Softmax(dim=1)
    pred_probab = softmax(logits)
    show("probab", pred_probab, repr=False)
    print(f"Model structure: {model}\n\n")
    for name, param in model.named_parameters():
        print(f"Layer: {name} | Size: {param.size()} | Values : {param[:2].shape} \n")
    show("first values", [param[:2] for _, param in model.named_parameters()], repr=False)
    print(seq_modules[1], len(seq_modules), seq_modules[-1], seq_modules[1:3])
    print(list(dict(model.named_children())), [type(m).__name__ for m in model.modules()])


def datasets_dataloaders(torch, show):
    from_data = torch.utils.data

    class CustomImageDataset(from_data.Dataset):
        def __init__(self, images, labels, transform=None, target_transform=None):
            self.images, self.labels = images, labels
            self.transform, self.target_transform = transform, target_transform

        def __len__(self):
            return len(self.labels)

        def __getitem__(self, idx):
            image = torch.tensor(self.images[idx])
            label = int(self.labels[idx])
            if self.transform:
                image = self.transform(image)
            if self.target_transform:
                label = self.target_transform(label)
            return image, label

    images = show.array(10, 1, 4, 4)
    labels = show.rng.integers(0, 3, size=10)
    one_hot = lambda y: torch.zeros(3, dtype=torch.float).scatter_(0, torch.tensor(y), value=1)
    ds = CustomImageDataset(images, labels, transform=lambda im: im / 2, target_transform=one_hot)
    print(len(ds), ds[0][0].shape, ds[0][1])
    train_dataloader = from_data.DataLoader(ds, batch_size=4, shuffle=False)
    train_features, train_labels = next(iter(train_dataloader))
    print(f"Feature batch shape: {train_features.size()}")
    print(f"Labels batch shape: {train_labels.size()}")
    print(train_labels)
    show("batches", [(f, l) for f, l in train_dataloader], repr=False)
    plain = CustomImageDataset(images, labels)
    dl = from_data.DataLoader(plain, batch_size=3, drop_last=True)
    print(len(dl), [b[1] for b in dl])
    dicts = [{"x": torch.tensor([float(i), 2.0 * i]), "y": i, "name": f"n{i}"} for i in range(5)]
    for batch in from_data.DataLoader(dicts, batch_size=2):
        print(batch)
    td = from_data.TensorDataset(torch.arange(6.0).view(3, 2), torch.tensor([0, 1, 0]))
    print(td[1], len(td))
    sub = from_data.Subset(td, [2, 0])
    print([sub[i] for i in range(len(sub))])
    cat = from_data.ConcatDataset([td, td])
    print(len(cat), cat[4])
    g = torch.Generator().manual_seed(0)
    parts = from_data.random_split(range(10), [7, 3], generator=g)
    print([len(p) for p in parts])
    shuffled = from_data.DataLoader(range(8), batch_size=8, shuffle=True)
    show("shuffle is a permutation", sorted(next(iter(shuffled)).tolist()))
    print(next(iter(from_data.DataLoader([(1, 2.5), (3, 4.5)], batch_size=2))))


def optimizing_parameters(torch, show):
    nn = torch.nn

    class NeuralNetwork(nn.Module):
        def __init__(self):
            super().__init__()
            self.flatten = nn.Flatten()
            self.linear_relu_stack = nn.Sequential(nn.Linear(8 * 8, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(),
                                                   nn.Linear(32, 10))

        def forward(self, x):
            return self.linear_relu_stack(self.flatten(x))

    X = show.array(96, 8, 8, low=0.0)
    Y = show.rng.integers(0, 10, size=96)
    training_data = torch.utils.data.TensorDataset(torch.from_numpy(X[:64]), torch.from_numpy(Y[:64]))
    test_data = torch.utils.data.TensorDataset(torch.from_numpy(X[64:]), torch.from_numpy(Y[64:]))
    train_dataloader = torch.utils.data.DataLoader(training_data, batch_size=16)
    test_dataloader = torch.utils.data.DataLoader(test_data, batch_size=16)
    model = show.same_init(NeuralNetwork())
    learning_rate, epochs = 1e-1, 3
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)

    def train_loop(dataloader, model, loss_fn, optimizer):
        size = len(dataloader.dataset)
        model.train()
        for batch, (X, y) in enumerate(dataloader):
            pred = model(X)
            loss = loss_fn(pred, y)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
            if batch % 2 == 0:
                loss, current = loss.item(), batch * 16 + len(X)
                show(f"loss {batch}", loss, rtol=1e-4)
                print(f"[{current:>5d}/{size:>5d}]")

    def test_loop(dataloader, model, loss_fn):
        model.eval()
        size = len(dataloader.dataset)
        num_batches = len(dataloader)
        test_loss, correct = 0, 0
        with torch.no_grad():
            for X, y in dataloader:
                pred = model(X)
                test_loss += loss_fn(pred, y).item()
                correct += (pred.argmax(1) == y).type(torch.float).sum().item()
        test_loss /= num_batches
        correct /= size
        show("accuracy", correct)
        show("avg loss", test_loss, rtol=1e-4)

    for t in range(epochs):
        print(f"Epoch {t + 1}\n-------------------------------")
        train_loop(train_dataloader, model, loss_fn, optimizer)
        test_loop(test_dataloader, model, loss_fn)
    print("Done!")


@pytest.mark.parametrize("program", [blitz_tensors, blitz_autograd, blitz_neural_networks, blitz_classifier,
                                     build_the_network, datasets_dataloaders, optimizing_parameters],
                         ids=lambda f: f.__name__)
def test_blitz(program):
    run_both(program)
